"""A plan's programme: its themes and goals, the actions that carry them out with their
progress, the stakeholders involved, and the roll-up of child programmes. Models stay in
:mod:`app.plans.models` (one table set per plan); the rules are in :mod:`.services`, the forms
in :mod:`.forms` and the pages in :mod:`.views`, :mod:`.action_views` and
:mod:`.involvement_views`, all on the ``plans`` blueprint."""
