"""The pure parts of search and rendering, without a database."""

from ventanilla.kb.rendering import html_to_text, render_markdown
from ventanilla.kb.search import text
from ventanilla.kb.search.spelling import correct


def test_unaccent_folds_accents_and_enye():
    assert text.unaccent("Configuración contraseña PÁGINA") == "Configuracion contrasena PAGINA"


def test_accented_and_plain_spellings_share_a_stem():
    for accented, plain in [("configuración", "configuracion"), ("página", "pagina"),
                            ("contraseña", "contrasena"), ("propagación", "propagacion")]:
        assert text.word_stems(accented, "es") & text.word_stems(plain, "es")


def test_spanish_stemming_joins_word_families():
    assert text.stem("correos", "es") == text.stem("correo", "es")
    assert text.word_stems("configurar", "es") & text.word_stems("configuración", "es")


def test_analyze_drops_stopwords_and_keeps_both_spellings():
    analyzed = text.analyze("La configuración de mi correo", "es").split()
    assert "la" not in analyzed and "de" not in analyzed and "mi" not in analyzed
    assert "configur" in analyzed and "corre" in analyzed


def test_parse_query_keeps_content_words_only():
    query = text.parse_query("Hola, ¿cómo puedo configurar mi correo en Outlook?", "es")
    assert [t.word for t in query.terms] == ["configurar", "correo", "outlook"]
    assert not any(t.prefix for t in query.terms)


def test_parse_query_while_typing_marks_the_last_word_as_a_prefix():
    query = text.parse_query("certificado ss", "es", typing=True)
    assert [t.prefix for t in query.terms] == [False, False]  # 2 letters: too short
    query = text.parse_query("certifi", "es", typing=True)
    assert query.terms[0].prefix
    assert not text.parse_query("certifi ", "es", typing=True).terms[0].prefix


def test_snippet_marks_every_form_of_the_query_words_and_escapes_html():
    source = "Intro <b>html</b>. " + "relleno " * 60 + "Los correos no llegan: revisa el correo."
    out = text.snippet(source, text.parse_query("correo", "es").stems(), "es", length=120)
    assert "<mark>correos</mark>" in out and "<mark>correo</mark>" in out
    assert out.startswith("… ")
    assert "<b>" not in text.snippet("<b>x</b> correo", {"corre"}, "es")


def test_spelling_key_makes_sound_alike_typos_equal():
    assert text.spelling_key("sertificado") == text.spelling_key("certificado")
    assert text.spelling_key("wordpres") == text.spelling_key("WordPress")
    assert text.spelling_key("bps") == text.spelling_key("vps")


def test_markdown_is_rendered_and_sanitized():
    html = render_markdown("# Título\n\n**negrita** <script>alert(1)</script>\n\n"
                           "[x](javascript:alert(1)) [y](https://example.com)\n\n"
                           "| a | b |\n|---|---|\n| 1 | 2 |\n")
    assert "<h2>Título</h2>" in html and "<strong>negrita</strong>" in html
    assert "<script>" not in html and "href=\"javascript" not in html
    assert 'href="https://example.com"' in html and "<table>" in html
    assert html_to_text("<p>Hola <strong>mundo</strong></p>") == "Hola mundo"


def test_correct_leaves_known_words_alone():
    query = text.parse_query("correo", "es")
    assert correct(query, has_word=lambda w: True) is None
