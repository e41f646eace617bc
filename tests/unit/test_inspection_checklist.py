"""The inspection checklist (resources/inspection/checklist.toml): validated on load, and
every line the duty manager sees is quoted from, or cited to, the seeds (issue 15)."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any

import pytest

from hall_app.errors import ConfigError
from hall_app.inspection.checklist import load_checklist, parse_checklist
from hall_app.resources import resource_path
from hall_app.scripts.citations import check_citations, citations, seed_files, uncited

SHIPPED = resource_path("inspection", "checklist.toml")
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def seeds() -> dict[str, str]:
    env = os.environ.get("HALL_SEEDS_DIR")
    candidates = [Path(env)] if env else [p / "shared" / "seeds" for p in REPO.parents]
    for directory in candidates:
        if directory.is_dir() and seed_files(directory):
            return {k: p.read_text(encoding="utf-8") for k, p in seed_files(directory).items()}
    pytest.skip("shared/seeds not found beside the checkout (set HALL_SEEDS_DIR)")


def test_the_shipped_checklist_covers_customers_facilities_and_staff():
    c = load_checklist()
    assert c.times == ("09:00", "11:00", "14:00", "16:30")
    labels = {a.key: [i.label for i in c.items_of(a.key)] for a in c.areas}
    assert labels == {
        "customers": ["等候情况", "客户情绪", "等候座位"],
        "facilities": ["空调", "打印机", "叫号屏和显示屏", "取号机", "叫号系统"],
        "staff": ["着装仪表", "员工情绪", "微笑服务", "团队协作"]}
    assert {i.facility for i in c.items_of("facilities")} == {
        "空调", "打印机", "显示屏", "排队机", "叫号系统"}


def test_every_citation_of_the_checklist_holds(seeds):
    problems = check_citations(SHIPPED, seeds)
    assert [f"第{p.line}行:{p.message}" for p in problems] == []
    quoted = {c.seed for c in citations(SHIPPED) if c.quoted}
    assert quoted == {"000", "002", "004"}


def test_every_shown_line_of_the_checklist_is_cited():
    assert uncited(SHIPPED, ("name", "title", "look", "case", "label")) == []


def _doc() -> dict[str, Any]:
    return tomllib.loads(SHIPPED.read_text(encoding="utf-8"))


@pytest.mark.parametrize(("change", "key"), [
    (lambda d: d.update(times=["9:00"]), "times[0]"),
    (lambda d: d.update(times=["14:00", "09:00"]), "times"),
    (lambda d: d["items"][0].update(area="lobby"), "items[0].area"),
    (lambda d: d["items"][1].update(key=d["items"][0]["key"]), "items[1].key"),
    (lambda d: d["items"][0].update(colour="red"), "items[0].colour"),
    (lambda d: d["items"][0].pop("look"), "items[0].look"),
    (lambda d: d["meta"].update(format=2), "meta.format"),
])
def test_a_bad_checklist_names_the_key_in_chinese(change, key):
    doc = _doc()
    change(doc)
    with pytest.raises(ConfigError) as err:
        parse_checklist(doc, "hall.toml")
    assert f"巡检表 hall.toml 中的 {key} 有误" in err.value.message


def test_a_missing_or_broken_file_is_a_chinese_error(tmp_path):
    with pytest.raises(ConfigError, match="无法读取巡检表"):
        load_checklist(tmp_path / "none.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("times = [", encoding="utf-8")
    with pytest.raises(ConfigError, match="格式错误"):
        load_checklist(bad)
