"""Tests of the target cloud catalogs (a package, so its module names cannot clash)."""
