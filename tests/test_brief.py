"""The analytic brief: sections, citations (APA, Chicago), escaping, integrity check, figures, PDF."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest

from watchfloor.brief import check_brief_file, render_brief
from watchfloor.brief.build import SECTIONS
from watchfloor.errors import UserError
from watchfloor.models import Document, Event
from watchfloor.workspace import Workspace

SECTION_TITLES = [s.title for s in SECTIONS]


def _event(doc: Document, n: int, **kw) -> Event:
    base = dict(doc_id=doc.id, event_id=f"{doc.id}-e{n}", event_date=None, time_precision=1, event_type="",
                sub_event_type="", evidence=doc.text[:150], span_start=0, span_end=150, confidence=0.8,
                country="Syria")
    base.update(kw)
    return Event(**base)


def _make_workspace(root: Path) -> Workspace:
    ws = Workspace.init(root, title="Syria test brief")
    with open(root / "watchfloor.toml", "a", encoding="utf-8") as fh:
        fh.write('\n[brief.publishers."Levant Wire"]\nplace = "Beirut"\n')
    ws = Workspace(root)
    moi = Document(
        id="moi-1", title="Interior Ministry: ISIS cells dismantled in rural Homs", date=date(2025, 11, 9),
        publisher="Syrian Interior Ministry", url="https://example.org/moi/1",
        text="The Syrian Interior Ministry said General Security forces arrested 11 members of an ISIS cell in "
             "the town of al-Qaryatayn in the eastern Homs countryside. Security forces detained four suspected "
             "ISIS members in the city of Mayadin in Deir Ezzor governorate.")
    strike = Document(
        id="wire-2", title="Coalition strike kills two <script>alert(1)</script> in Deir ez-Zor",
        date=date(2025, 11, 12), publisher="Levant Wire", url="https://example.org/wire/2?a=1&b=2",
        text="A Coalition drone strike killed two ISIS commanders near the town of Mayadin in Deir ez-Zor on "
             "Wednesday, the US-led coalition said.")
    ambush = Document(
        id="wire-3", title="ISIS ambush east of Palmyra", date=date(2025, 11, 20), publisher="Levant Wire",
        url="https://example.org/wire/3",
        text="ISIS fighters ambushed a Syrian army patrol east of Palmyra in the Homs desert, killing five "
             "soldiers, a military source said.")
    uncited = Document(id="other-4", title="Unrelated report", date=date(2025, 10, 1), publisher="Nobody",
                       text="Nothing happened in Idlib.")
    with ws.store() as st:
        st.add_document(moi, [
            _event(moi, 1, event_date="2025-11-08", event_type="Strategic developments", sub_event_type="Arrests",
                   actor1="Police Forces of Syria (2024-) General Security", actor2="Islamic State (Syria)",
                   location="al-Qaryatayn", admin1="Homs", admin1_pcode="SY04", latitude=34.2285,
                   longitude=37.2406, geo_precision=1, arrests=11),
            _event(moi, 2, event_date="2025-11-08", event_type="Strategic developments", sub_event_type="Arrests",
                   actor1="Police Forces of Syria (2024-)", actor2="Islamic State (Syria)", location="Mayadin",
                   admin1="Deir-ez-Zor", admin1_pcode="SY09", latitude=35.021, longitude=40.4517,
                   geo_precision=1, arrests=4)])
        st.add_document(strike, [
            _event(strike, 1, event_date="2025-11-12", event_type="Explosions/Remote violence",
                   sub_event_type="Air/drone strike", actor1="Global Coalition Against Daesh",
                   actor2="Islamic State (Syria)", location="Mayadin", admin1="Deir-ez-Zor", admin1_pcode="SY09",
                   latitude=35.021, longitude=40.4517, geo_precision=2, fatalities=2, confidence=0.9)])
        st.add_document(ambush, [
            _event(ambush, 1, event_date="2025-11-19", event_type="Battles", sub_event_type="Armed clash",
                   actor1="Islamic State (Syria)", actor2="Military Forces of Syria (2024-)", location="Palmyra",
                   admin1="Homs", admin1_pcode="SY04", latitude=34.56, longitude=38.27, geo_precision=2,
                   fatalities=5, confidence=0.85)])
        st.add_document(uncited, [])
    j = root / "knowledge" / "judgements"
    (j / "isis.md").write_text(
        "---\nid: isis-badia\ntopic: ISIS in the Badia\ndate: 2025-11-28\ntitle: ISIS exploits gaps\n"
        "confidence: low\n---\n\nISIS remains able to ambush the Syrian army near Palmyra [@doc:wire-3]. "
        "Government arrests in Homs show growing reach [@event:moi-1-e1]. We judge that attacks will continue.\n",
        encoding="utf-8")
    (j / "conclusion.md").write_text(
        "---\nid: conclusion\ntopic: ISIS in the Badia\ndate: 2025-11-28\n---\n\n"
        "The *tempo* of ISIS attacks near Palmyra is likely to persist [@doc:wire-3].\n", encoding="utf-8")
    return ws


@pytest.fixture(scope="module")
def ws(tmp_path_factory) -> Workspace:
    return _make_workspace(tmp_path_factory.mktemp("brief") / "ws")


@pytest.fixture(scope="module")
def outputs(ws, tmp_path_factory):
    out = tmp_path_factory.mktemp("out")
    res = {}
    for fmt, style in (("md", "apa"), ("html", "chicago")):
        path = out / f"brief.{fmt}"
        r = render_brief(ws, fmt=fmt, style=style, output=path)
        assert r.problems == [], r.problems
        assert r.written and path.is_file()
        res[fmt] = (path, path.read_text(encoding="utf-8"), r)
    return res


def test_sections_present(outputs):
    md = outputs["md"][1]
    html = outputs["html"][1]
    for title in SECTION_TITLES:
        assert f"## {title}" in md
        assert f">{title}</h2>" in html
    assert "### Timeline" in md and "brief_files/map.png" in md
    assert (outputs["md"][0].parent / "brief_files" / "map.png").is_file()
    assert "No scenarios defined in this workspace." in md or "Future scenarios" in md


def test_sentences_read_like_an_analyst(outputs):
    md = outputs["md"][1]
    assert "On 8 November 2025, General Security arrested 11 suspected members of ISIS in al-Qaryatayn, Homs governorate" in md
    assert "None" not in md


def _cited_ids_md(md: str) -> set[str]:
    body = md.split("## References")[0]
    return set(re.findall(r"\]\(#ref-([^)]+)\)", body))


def _reference_ids_md(md: str) -> list[str]:
    return re.findall(r'<a id="ref-([^"]+)"></a>', md.split("## References")[1])


def test_references_exactly_the_cited_documents(outputs):
    md = outputs["md"][1]
    cited = _cited_ids_md(md)
    refs = _reference_ids_md(md)
    assert cited == {"moi-1", "wire-2", "wire-3"}
    assert sorted(refs) == sorted(cited) and len(refs) == len(set(refs))
    assert "other-4" not in md and "Unrelated report" not in md
    html = outputs["html"][1]
    body, refs_html = html.split('id="references"')
    assert set(re.findall(r'href="#ref-([^"]+)"', body)) == {"moi-1", "wire-2", "wire-3"}
    assert sorted(re.findall(r'<li id="ref-([^"]+)"', refs_html)) == ["moi-1", "wire-2", "wire-3"]


def test_apa_citations(outputs):
    md = outputs["md"][1]
    # same publisher, same year: year suffixes, in text and in the reference list
    assert "[Levant Wire, 2025a](#ref-wire-2)" in md and "[Levant Wire, 2025b](#ref-wire-3)" in md
    assert "[Syrian Interior Ministry, 2025](#ref-moi-1)" in md
    assert "Syrian Interior Ministry. (2025, November 9). *Interior Ministry: ISIS cells dismantled in rural Homs*." in md
    assert "<https://example.org/moi/1>" in md


def test_chicago_citations_with_publisher_place(outputs):
    html = outputs["html"][1]
    assert '<a href="#ref-wire-3">Levant Wire 2025b</a>' in html
    refs = html.split('id="references"')[1]
    assert "Levant Wire. 2025b. “ISIS Ambush East of Palmyra”. Beirut: Levant Wire. November 20." in refs
    assert "Edition" not in refs


def test_html_escapes_untrusted_text(outputs):
    html = outputs["html"][1]
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert 'href="https://example.org/wire/2?a=1&amp;b=2"' in html
    assert "<script>" not in outputs["md"][1]


def test_unknown_citation_key_names_file_and_line(ws, tmp_path):
    bad = ws.config.knowledge_dir / "judgements" / "zz-bad.md"
    bad.write_text("---\nid: bad\ntopic: x\ndate: 2025-11-28\n---\n\nFirst paragraph [@doc:wire-3].\n\n"
                   "Second paragraph cites [@doc:xyz].\n", encoding="utf-8")
    try:
        with pytest.raises(UserError, match=r"knowledge/judgements/zz-bad\.md:9: unknown citation key \[@doc:xyz\]"):
            render_brief(ws, fmt="md", output=tmp_path / "b.md")
    finally:
        bad.unlink()


def test_check_fails_when_source_does_not_mention_actor_or_place(ws, outputs, tmp_path):
    path = tmp_path / "edited.md"
    md = outputs["md"][1].replace("ISIS clashed with the Syrian army in Palmyra",
                                  "the SDF clashed with the Syrian army in Aleppo")
    path.write_text(md, encoding="utf-8")
    problems = check_brief_file(ws, path)
    assert any("the SDF clashed with the Syrian army in Aleppo" in p and "“SDF”" in p and "wire-3" in p
               for p in problems), problems
    assert any("“Aleppo”" in p for p in problems)
    assert check_brief_file(ws, outputs["md"][0]) == []
    assert check_brief_file(ws, outputs["html"][0]) == []
    # the CLI's --check with -o FILE: an existing file is checked
    r = render_brief(ws, fmt="md", output=path, check_only=True)
    assert r.problems and r.statements > 5


def test_check_matches_resolved_places_not_strings(ws, tmp_path):
    # the document says "Deir Ezzor"; the sentence "Deir-ez-Zor governorate"
    path = tmp_path / "b.md"
    path.write_text("# T\n\n## Summary\n\n- Security forces detained four suspected ISIS members in "
                    "Deir-ez-Zor governorate ([SIM 2025](#ref-moi-1)).\n- Security forces detained suspects "
                    "([SIM 2025](#ref-moi-1)).\n\n## Implications\n\nISIS is weak.\n", encoding="utf-8")
    problems = check_brief_file(ws, path)
    assert len(problems) == 1 and "ISIS is weak" in problems[0] and "cites no source" in problems[0]


def test_uncited_judgement_refuses_to_write(ws, tmp_path):
    j = ws.config.knowledge_dir / "judgements" / "zz-uncited.md"
    j.write_text("---\nid: u\ntopic: x\ndate: 2025-11-28\n---\n\nDamascus will fall.\n", encoding="utf-8")
    try:
        out = tmp_path / "b.html"
        r = render_brief(ws, fmt="html", output=out)
        assert r.problems and "Damascus will fall" in r.problems[0] and not out.exists()
        r = render_brief(ws, fmt="html", output=out, allow_unsourced=True)
        assert r.problems and out.exists()
    finally:
        j.unlink()


def test_stdout_and_pdf_needs_output(ws, capsys):
    r = render_brief(ws, fmt="md")
    assert "## References" in capsys.readouterr().out and r.written is False
    with pytest.raises(UserError):
        render_brief(ws, fmt="pdf")


def test_pdf_renders_with_a_map(ws, tmp_path):
    out = tmp_path / "brief.pdf"
    r = render_brief(ws, fmt="pdf", output=out)
    assert r.problems == []
    assert out.read_bytes().startswith(b"%PDF")
    fig = next(f for f in r.brief.figures if f.name == "map")
    from matplotlib.image import imread

    img = imread(io.BytesIO(fig.png), format="png")
    assert img.shape[0] > 300 and img[..., :3].std() > 0.05  # not blank
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm not installed: PDF pages not rasterised")
    subprocess.run(["pdftoppm", "-png", "-r", "40", str(out), str(tmp_path / "page")], check=True, timeout=60)
    pages = sorted(tmp_path.glob("page*.png"))
    assert pages
    assert max(imread(str(p))[..., :3].std() for p in pages) > 0.05


def test_provision_title_quotes_the_agreement_file_not_the_source(ws, tmp_path):
    """The status-change sentence names the provision by its title from the agreement file; the
    cited report must support the change, not the title's wording. Outside the title, names count."""
    path = tmp_path / "b.md"
    path.write_text("# T\n\n## Strategic dimensions\n\n- On 7 October 2025, the provision “Handover of Kobani "
                    "to the SDF” moved from not started to in progress: security forces detained "
                    "suspects ([SIM 2025](#ref-moi-1)).\n- On 7 October 2025, the SDF handed over Kobani: "
                    "security forces detained suspects ([SIM 2025](#ref-moi-1)).\n", encoding="utf-8")
    problems = check_brief_file(ws, path)
    assert problems and all("the SDF handed over Kobani" in p for p in problems), problems
