"""The inline-markdown subset: escaping first, then bold and italic."""

from notebuilder.markup import bold_spans, inline_html, plain_text, stem


def test_emphasis_and_escaping():
    assert (
        inline_html("**Japan** is *the* <script>x</script>")
        == "<strong>Japan</strong> is <em>the</em> &lt;script&gt;x&lt;/script&gt;"
    )
    assert inline_html("5 * 3 = 15 * 2") == "5 * 3 = 15 * 2"
    assert plain_text("**Japan** is *the*") == "Japan is the"


def test_punctuation_after_emphasis_stays_outside_it():
    assert inline_html("the **1991 crisis**. Then **752 AD**, and (**Mumbai–Ahmedabad**).") == (
        "the <strong>1991 crisis</strong>. Then <strong>752 AD</strong>, "
        "and (<strong>Mumbai–Ahmedabad</strong>)."
    )


def test_bold_spans_and_plurals():
    assert bold_spans("The **42nd Amendment** (**1976**) added *words*") == ["42nd Amendment", "1976"]
    words = ("rights", "policies", "taxes", "dialogues", "class", "status", "crisis")
    assert [stem(word) for word in words] == [
        "right", "policy", "tax", "dialogue", "class", "status", "crisis",
    ]  # fmt: skip


def test_quotes_and_apostrophes_print_curly_and_the_notes_keep_theirs():
    from notebuilder.markup import curly_quotes

    assert curly_quotes("India's \"**Act East**\", then ('Look East') in the '90s") == (
        "India’s “**Act East**”, then (‘Look East’) in the ’90s"
    )
    assert inline_html('"Act East" is India\'s') == "“Act East” is India’s"
    assert plain_text('"Act East" is India\'s') == '"Act East" is India\'s'  # what dedupe and check read
