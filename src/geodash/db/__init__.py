"""The staff workspace's storage: financings, key figures, history and accounts in SQLite or PostgreSQL."""
