"""Bank statements: import (CAMT.053, CFONB 120, OFX, bank CSV), payment matching, freshness.

`formats/` turns a file into `Statement`s; `matching.py` proposes the invoices a credit pays
(pure); `importer.py` stores a file all-or-nothing and applies what is certain by policy;
`decisions.py` is what a person decides (apply, reject, undo) and what a returned credit undoes;
`freshness.py` says whether the payment data is recent enough to remind anyone.
See docs/bank.md.
"""
