"""The live account (boto3, read-only) and published DNS (dnspython)."""
