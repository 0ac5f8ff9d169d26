"""Forms of escalation: ``route`` (the route section of the case page) and ``convenant`` (the
convenant pages) and ``deadlines`` (the filters of the "Termijnen" page)."""
