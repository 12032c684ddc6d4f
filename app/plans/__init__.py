"""Policy plans: text, themes, goals, the implementation programme, workflow and revisions."""
