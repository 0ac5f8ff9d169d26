"""URLs of cases, one module per namespace, each included in ``thuiszitters/urls.py``:
``intake`` (``cases``), ``case`` (``case``), ``csv_upload`` (``cases_csv``), ``lists``
(``caselists``) and ``search`` (``search``, the header's search)."""
