"""URLs of reports, one module per namespace, each included in ``thuiszitters/urls.py``:
``dashboard`` (``reports``), ``lists`` (``reportlists``) and ``quarterly`` (``quarterly``)."""
