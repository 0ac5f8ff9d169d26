"""URLs of reports, one module per namespace, each included in ``thuiszitters/urls.py``:
``dashboard`` (``reports``), ``lists`` (``reportlists``), ``quarterly`` (``quarterly``) and
``subject_access`` (``subject_access``, the privacy officer's access requests)."""
