"""URLs of escalation, one module per namespace, each included in ``thuiszitters/urls.py``:
``route`` (``escalation``), ``convenant`` (``convenant``), ``inbox`` (``inbox``) and
``deadlines`` (``deadlines``, the "Termijnen" page)."""
