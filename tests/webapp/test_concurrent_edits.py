"""The three-way merge of an edit form against what was stored meanwhile (``concurrent_edits``)."""

from __future__ import annotations

from webapp.services.concurrent_edits import digest, marks, merge, parse_marks

SHOWN = {"title": "Jour", "route": ((2.2951234, 49.9), (2.3, 49.91)), "size": 12}


def test_marks_read_back_and_unreadable_parts_are_left_out() -> None:
    assert parse_marks(marks(SHOWN)) == {name: digest(value) for name, value in SHOWN.items()}
    assert parse_marks("title=abc;;=x;route=;junk") == {"title": "abc"}
    assert parse_marks(None) == {}


def test_coordinates_compare_as_the_forms_write_them() -> None:
    # the route's text and the map editor give six decimals
    assert digest(((2.2951234, 49.9),)) == digest(((2.295123, 49.900000),))
    assert digest(((2.2951234, 49.9),)) != digest(((2.295124, 49.9),))


def test_each_side_keeps_what_only_it_changed() -> None:
    seen = parse_marks(marks(SHOWN))
    stored = {**SHOWN, "route": ((2.31, 49.92), (2.32, 49.93))}  # someone else redrew the route
    mine = {**SHOWN, "title": "Jour (revu)"}
    result = merge(seen, stored, mine)
    assert result.values == {**SHOWN, "title": "Jour (revu)", "route": stored["route"]}
    assert (result.kept, result.conflicts) == (["route"], [])


def test_the_same_field_changed_both_ways_is_a_conflict_the_same_way_is_not() -> None:
    seen = parse_marks(marks(SHOWN))
    stored = {**SHOWN, "title": "Jour A", "size": 15}
    result = merge(seen, stored, {**SHOWN, "title": "Jour B", "size": 15})
    assert result.conflicts == ["title"]
    assert result.kept == []


def test_without_marks_the_form_wins_and_locked_fields_keep_the_stored_value() -> None:
    stored = {**SHOWN, "title": "Autre", "size": 20}
    mine = {**SHOWN, "size": 13}
    assert merge({}, stored, mine).values == mine
    locked = merge(parse_marks(marks(SHOWN)), stored, mine, left_alone={"size"})
    assert locked.values["size"] == 20 and locked.conflicts == []
