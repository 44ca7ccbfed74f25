"""Signals the telegrams app sends for the apps above it.

``agenda_items_shown``: the agenda comparison is about to show ``items`` (agenda
items with their passages loaded) to ``user`` in the corrected reading. The
accepted corrections of a text are annotations, which this app may not read
(the apps depend one way), so the annotations app answers: a receiver sets
``item.corrected_html`` on the items whose text a correction changes.
"""

from django.dispatch import Signal

agenda_items_shown = Signal()
