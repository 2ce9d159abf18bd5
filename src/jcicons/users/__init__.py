"""Staff accounts, managed by ADMIN."""
