"""Pulumi: the program run under mocks (in-process, forked per stack, or in the project's
virtualenv), `pulumi preview --json` and `pulumi stack export`."""
