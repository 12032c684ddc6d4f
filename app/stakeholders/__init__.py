"""The stakeholder register: residents, partner organisations, advisory councils, officials."""
