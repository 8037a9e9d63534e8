"""Small groups are hidden, and so is whatever would let them be subtracted out."""

from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.suppression import suppressed_groups


def test_small_groups_and_complement() -> None:
    hidden = suppressed_groups({"A": 2, "B": 2, "C": 10, "D": 30}, 5)
    assert hidden == {"A": "small", "B": "small", "C": "complementary"}


def test_pool_big_enough_needs_no_complement() -> None:
    assert suppressed_groups({"A": 4, "B": 4, "C": 10}, 5) == {"A": "small", "B": "small"}


def test_empty_groups_need_no_protection() -> None:
    assert suppressed_groups({"A": 0, "C": 10}, 5) == {"A": "small"}


@settings(max_examples=300, deadline=None)
@given(
    st.dictionaries(st.text(min_size=1, max_size=3), st.integers(0, 40), min_size=1, max_size=12),
    st.integers(3, 8),
)
def test_no_hidden_pool_can_be_worked_out(groups: dict[str, int], k: int) -> None:
    hidden = suppressed_groups(groups, k)
    assert all(n < k for name, n in groups.items() if hidden.get(name) == "small")
    assert all(name in hidden for name, n in groups.items() if n < k)
    pool = sum(groups[name] for name in hidden)
    shown = [name for name in groups if name not in hidden]
    # Either nothing hidden holds anyone, or the hidden groups pool at least k people,
    # or nothing is left shown to subtract from the total.
    assert pool == 0 or pool >= k or not shown
