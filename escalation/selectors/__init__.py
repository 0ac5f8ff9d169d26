"""Reads of escalation: ``route`` (the route, deadlines and agenda of cases) and ``inbox`` (a
user's own notifications and e-mail preferences) and ``deadlines`` (the "Termijnen" page)."""
