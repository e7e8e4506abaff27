"""Reading an Open Referral UK feed: fetching it (`fetch`), checking and reading it (`parse`),
and the sample feed we ship (`sample.json`, fictional services in the standard's shape). Nothing
here touches the database: `careplans.services.directory` applies what `parse` returns."""

from pathlib import Path

SAMPLE_FEED = Path(__file__).resolve().parent / "sample.json"
