from intake.domain.diff import Change, diff_values


def test_only_changed_figures_are_listed_in_a_stable_order() -> None:
    before = {"c": {"numerator": 1, "denominator": 10}, "d": {"numerator": 2, "denominator": 10}}
    after = {"c": {"numerator": 1, "denominator": 12}, "d": {"numerator": 3, "denominator": 10}}
    assert diff_values(before, after) == [Change("c", "denominator", 10, 12), Change("d", "numerator", 2, 3)]


def test_a_first_revision_lists_every_figure_and_no_change_lists_nothing() -> None:
    after = {"d": {"numerator": 2, "denominator": 10}, "c": {"numerator": 1, "denominator": 10}}
    assert [(c.indicator, c.field, c.before) for c in diff_values({}, after)] == [
        ("c", "numerator", None),
        ("c", "denominator", None),
        ("d", "numerator", None),
        ("d", "denominator", None),
    ]
    assert diff_values(after, after) == []
