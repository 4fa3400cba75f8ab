"""Running a deployment: accounts, layanan, backup and restore, the demo data."""
