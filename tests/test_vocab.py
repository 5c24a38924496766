"""Every grounding state the assistant can report is explained and has a label in the app."""

from assistant.answer import GROUNDING_STATES
from tenkan.face.ui.render import GROUNDING_LABEL
from tenkan.vocab import GROUNDINGS


def test_every_grounding_state_is_explained_and_labelled():
    assert tuple(GROUNDING_STATES) == GROUNDINGS
    assert set(GROUNDING_LABEL) == set(GROUNDINGS)
