"""The sesguard policy pack in this repository: serves the installed package's pack (blocks forever).

`PulumiPolicy.yaml` runs it with the repository's virtualenv, where `make` installed sesguard;
`sesguard pack init DIR` writes the same program for a pack directory of its own.
"""

from sesguard import pack

pack.serve()
