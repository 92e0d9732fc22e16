"""Hub models: guidelines, compensation policies, SLA and escalation rules."""
