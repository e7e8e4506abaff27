"""Outside services faked at the network edge: real clients talk to these over loopback."""
