"""Patient-record pages, a module per subject; each view reaches a case through patients.access."""
