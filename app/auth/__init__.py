"""Staff accounts: sign-in, profile, account administration and the ``koers users`` commands."""
