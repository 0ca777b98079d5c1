"""The handbook's rules, one package per chapter (see README, Development → Layout).

Importing any service installs the ownership ledger's guard on every ORM session, so an
owner change without a ledger entry is impossible wherever the rules are used.
"""

from salesctl.services.customers.ownership import install_guard as _install_guard

_install_guard()
