"""The plan stage: what each in-scope server becomes on each target cloud, and what it costs.

Sizing (`sizing`), prices from the target catalogs (`prices`) and monthly costs (`costs`),
then move groups and waves. Every function here is pure and vectorised over the servers.
"""
