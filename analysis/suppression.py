"""Minimum group size: hide small groups, and enough others that none can be subtracted out."""


def suppressed_groups(responses: dict[str, int], min_group_size: int) -> dict[str, str]:
    """Which groups' scores to hide, with the reason: "small" or "complementary".

    A group with fewer than `min_group_size` responses is hidden. Where the hidden groups
    pool fewer than `min_group_size` responses (but some), a shown total would give their
    pooled score away by subtraction, so the next smallest shown group is hidden too, until
    the hidden pool holds at least `min_group_size`.
    """
    hidden = {name: "small" for name, n in responses.items() if n < min_group_size}
    pool = sum(responses[name] for name in hidden)
    shown = sorted((n, name) for name, n in responses.items() if name not in hidden)
    while 0 < pool < min_group_size and shown:
        count, name = shown.pop(0)
        hidden[name] = "complementary"
        pool += count
    return hidden
