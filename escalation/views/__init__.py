"""The pages of escalation: ``route`` (the case page's route section and deadline summary,
and the doorbraakteam's agenda), ``convenant`` (the functional administrator's convenant
pages), ``inbox`` (notifications and e-mail preferences) and ``deadlines`` (the
"Termijnen" page)."""
