"""Every kind of message the console shows, from real runs of the command, in Chinese (the
default) and in English (``GXNET_LANG=en``): downloads that fail, a site list's check, damaged
plans, bad environment values and gxnet.toml, warnings, `gxnet fetch`'s lines, the models'
own checks. Each message still names the file, row and field and says what to do; the exit
codes do not depend on the language."""

from __future__ import annotations

import hashlib
import os
import re
import socket
import string
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from gxnet import settings
from gxnet._catalogue import MESSAGES
from gxnet._messages import LANG_VARIABLE
from gxnet.cli import cli
from tests.helsinki import AREA, DEMAND, PBF, SITES
from tests.test_report import small_plan

EXTRACT = "guangxi-latest.osm.pbf"
FETCH = ["fetch", "--area", str(AREA), "--name", "hel", "--source", "extract"]
LANGS = ("zh", "en")


def run(*args: object, lang: str):
    """``gxnet ARGS`` in the console language ``lang`` (through GXNET_LANG)."""
    runner = CliRunner(env={LANG_VARIABLE: lang})
    return runner.invoke(cli, [str(a) for a in args], prog_name="gxnet")


def last_line(result) -> str:
    """The one error line a run ended on (progress and warning lines may come before it)."""
    assert "Traceback" not in result.output, result.output
    return result.stderr.strip().splitlines()[-1]


def warnings_of(result) -> list[str]:
    return [
        line
        for line in result.stderr.splitlines()
        if line.startswith(("gxnet：警告：", "gxnet: warning:"))
    ]


# --- The catalogue itself ------------------------------------------------------------------------


def _fields(template: str) -> set[str]:
    """The {fields} of a template; a field ``x_en`` of the English text fills ``x`` in the
    Chinese one (the English words of a phrase built in both languages)."""
    names = (name for _, name, _, _ in string.Formatter().parse(template) if name is not None)
    return {re.split(r"[.\[]", name)[0].removesuffix("_en") for name in names}


def test_every_message_has_both_languages_with_the_same_fields():
    for key, texts in MESSAGES.items():
        assert len(texts) == len(LANGS), key
        zh, en = texts
        assert zh.strip() and en.strip(), key
        assert _fields(zh) == _fields(en), key
        # Chinese text in the Chinese column, none in the English one (names of places and
        # columns a planner types aside).
        assert not re.search(r"[\u4e00-\u9fff]", en) or key in _CHINESE_IN_ENGLISH, key


#: English texts that quote Chinese on purpose: column names and values a list may use.
_CHINESE_IN_ENGLISH = {
    "err_no_coordinates", "err_no_households_column", "err_unknown_setting",
    "help:cities", "help:fetch:city", "help:optimize:city", "err_tianditu_key",
    "site_no_coordinates", "reason_excluded", "cities_name_zh",
}  # fmt: skip


# --- Downloads -----------------------------------------------------------------------------------


@pytest.fixture
def download(osm_server, tmp_path, monkeypatch, waits):
    """The Helsinki extract served as the region's, the OSM folder empty, quick retries."""
    data = PBF.read_bytes()
    osm_server.files[f"/{EXTRACT}"] = data
    osm_server.files[f"/{EXTRACT}.md5"] = f"{hashlib.md5(data).hexdigest()}  {EXTRACT}".encode()
    monkeypatch.setattr(settings, "osm_dir", tmp_path / "osm")
    monkeypatch.setattr(settings, "extract_url", f"{osm_server.url}/{EXTRACT}")
    monkeypatch.setattr(settings, "http_retries", 2)
    monkeypatch.setattr(settings, "http_backoff_s", 0.0)
    osm_server.target = tmp_path / "osm" / EXTRACT
    return osm_server


def _by_hand(target: Path) -> dict[str, str]:
    return {
        "zh": f"请手动下载并放到 {target}（{target.parent}/ 中覆盖该城市的任何 *.osm.pbf 都会被"
        "使用），或使用 --pbf 文件",
        "en": f"download it by hand and place it at {target} (any *.osm.pbf in {target.parent}/ "
        "covering the city is used), or pass --pbf FILE",
    }


def test_a_missing_extract_says_404_and_where_to_put_a_file(download):
    download.files.clear()
    url = f"{download.url}/{EXTRACT}.md5"
    hand = _by_hand(download.target)
    for lang, line in (
        ("zh", f"gxnet：错误：{url} 不存在（404）；"
               "请检查 settings.extract_url（GXNET_EXTRACT_URL），"
               f"或{hand['zh']}"),
        ("en", f"gxnet: error: {url} does not exist (404); check settings.extract_url "
               f"(GXNET_EXTRACT_URL), or {hand['en']}"),
    ):  # fmt: skip
        result = run(*FETCH, lang=lang)
        assert result.exit_code == 1 and last_line(result) == line


def test_server_errors_to_the_last_attempt(download):
    url = f"{download.url}/{EXTRACT}"
    hand = _by_hand(download.target)
    for lang, line in (
        ("zh", f"gxnet：错误：无法下载 {url}（尝试 2 次，最后一次：服务器返回 503 Service "
               f"Unavailable）；{hand['zh']}"),
        ("en", f"gxnet: error: could not download {url} (2 attempts, the last: 503 Service "
               f"Unavailable); {hand['en']}"),
    ):  # fmt: skip
        download.script[f"/{EXTRACT}.md5"] = [503, 503]
        result = run(*FETCH, lang=lang)
        assert result.exit_code == 1 and last_line(result) == line


def test_no_time_for_another_attempt_before_the_deadline(download, monkeypatch):
    monkeypatch.setattr(settings, "http_backoff_s", 60.0)
    monkeypatch.setattr(settings, "download_deadline_s", 5.0)
    for lang, said in (
        ("zh", "（尝试 1 次，在 5 秒时限前来不及再试，最后一次："
               "服务器返回 503 Service Unavailable）"),
        ("en", "(1 attempt, no time for another before the 5 s deadline, the last: 503 Service "
               "Unavailable)"),
    ):  # fmt: skip
        download.script[f"/{EXTRACT}.md5"] = [503]
        result = run(*FETCH, lang=lang)
        assert result.exit_code == 1 and said in last_line(result)


def test_an_unreachable_server(download, monkeypatch):
    with socket.socket() as sock:  # a port nobody listens on once closed
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    monkeypatch.setattr(settings, "extract_url", f"http://127.0.0.1:{port}/{EXTRACT}")
    for lang, said in (
        ("zh", f"（尝试 2 次，最后一次：无法连接 127.0.0.1:{port}）；请手动下载并放到"),
        ("en", f"(2 attempts, the last: no connection to 127.0.0.1:{port}); download it by hand"),
    ):
        result = run(*FETCH, lang=lang)
        assert result.exit_code == 1 and said in last_line(result)


def test_a_download_past_its_deadline_keeps_the_part_file(download, monkeypatch):
    download.script[f"/{EXTRACT}"] = ["trickle"] * 2
    download.trickle_s = 0.05
    monkeypatch.setattr(settings, "download_deadline_s", 0.5)
    monkeypatch.setattr(settings, "download_min_rate_bps", 0.0)
    part = download.target.with_name(f"{EXTRACT}.part")
    for lang, pattern in (
        ("zh", rf"gxnet：错误：放弃下载 {download.url}/{EXTRACT}：用时超过了 0.5 秒的时限"
               r"（settings.download_deadline_s，GXNET_DOWNLOAD_DEADLINE_S）；"
               rf"{part} 保留已下载的 [\d,]+ 字节，下次运行时续传；请手动下载"),
        ("en", rf"gxnet: error: gave up downloading {download.url}/{EXTRACT}: it took longer "
               r"than the deadline of 0.5 s \(settings.download_deadline_s, "
               rf"GXNET_DOWNLOAD_DEADLINE_S\); {part} keeps the [\d,]+ bytes so far and the next "
               "run resumes; download it by hand"),
    ):  # fmt: skip
        result = run(*FETCH, lang=lang)
        assert result.exit_code == 1 and re.match(pattern, last_line(result)), last_line(result)


def test_a_trickle_below_the_slowest_rate(download, monkeypatch):
    download.script[f"/{EXTRACT}"] = ["trickle"] * 2
    download.trickle_s = 0.05
    monkeypatch.setattr(settings, "download_min_rate_bps", 1000.0)
    monkeypatch.setattr(settings, "download_rate_window_s", 0.3)
    for lang, pattern in (
        ("zh", r"：服务器在 \d+ 秒内只发送了 [\d,]+ 字节，低于可接受的最低速度 1000 字节/秒"
               r"（settings.download_min_rate_bps，GXNET_DOWNLOAD_MIN_RATE_BPS）；"),
        ("en", r": the server sent [\d,]+ bytes in \d+ s, slower than the slowest rate accepted, "
               r"1000 bytes/s \(settings.download_min_rate_bps, GXNET_DOWNLOAD_MIN_RATE_BPS\); "),
    ):  # fmt: skip
        result = run(*FETCH, lang=lang)
        assert result.exit_code == 1 and re.search(pattern, last_line(result)), last_line(result)


def test_a_checksum_mismatch_discards_the_download(download):
    download.files[f"/{EXTRACT}.md5"] = f"{'0' * 32}  {EXTRACT}".encode()
    actual = hashlib.md5(PBF.read_bytes()).hexdigest()
    url = f"{download.url}/{EXTRACT}"
    for lang, said in (
        ("zh", f"{url} 下载后的 MD5 为 {actual}，而服务器公布的是 {'0' * 32}；文件已丢弃："
               "请重新运行命令，或请手动下载"),
        ("en", f"{url} arrived with MD5 {actual}, but the server publishes {'0' * 32}; the file "
               "was discarded: run the command again, or download it by hand"),
    ):  # fmt: skip
        result = run(*FETCH, lang=lang)
        assert result.exit_code == 1 and said in last_line(result)


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full on this system")
def test_a_full_disk_during_the_download(download):
    part = download.target.with_name(f"{EXTRACT}.part")
    part.parent.mkdir(parents=True)
    part.symlink_to("/dev/full")  # every write fails with ENOSPC, as on a full disk
    for lang, said in (
        ("zh", f"gxnet：错误：无法写入 {part}：磁盘已满（"),
        ("en", f"gxnet: error: cannot write {part}: the disk is full ("),
    ):
        result = run(*FETCH, lang=lang)
        assert result.exit_code == 1 and last_line(result).startswith(said)
    assert last_line(run(*FETCH, lang="zh")).endswith(
        "）；请释放空间后重新运行（之前写出的文件未改变）"
    )


# --- A site list: `gxnet sites check` and the rows a plan cannot use -----------------------------

_LIST = (
    "编号,名称,经度,纬度,类型,状态,容量\n"
    "S1,河东,111.3100,23.4800,回收点,候选,2000\n"
    "S2,坏经度,abc,23.4810,回收点,候选,2000\n"
    "S3,仓库,111.3120,23.4820,仓库,候选,2000\n"
    "S4,负容量,111.3130,23.4830,回收点,候选,-5\n"
    "S1,重号,111.3140,23.4840,回收点,候选,2000\n"
    "S6,重复点,111.31001,23.48001,回收点,候选,2000\n"
    "S7,区外,110.0000,22.0000,回收点,候选,2000\n"
    "S8,填反,23.4850,111.3150,回收点,候选,2000\n"
    "S9,空类型,111.3160,23.4860,,候选,2000\n"
    "S10,加工,111.3170,23.4870,加工基地,候选,30\n"
    "S11\x1b[2J,\x1b[31m红字\x1b[0m,111.3180,23.4880,回收点,未知状态,2000\n"
)


@pytest.fixture
def site_list(tmp_path, monkeypatch) -> Path:
    """A district's list with one of each problem, in 万秀区, and nothing on disk."""
    monkeypatch.setattr(settings, "osm_dir", tmp_path / "osm")
    monkeypatch.setattr(settings, "sites_dir", tmp_path / "sites")
    path = tmp_path / "站点表.csv"
    path.write_text(_LIST, encoding="utf-8")
    return path


def test_sites_check_reports_every_row_in_the_console_language(site_list):
    zh = run("sites", "check", site_list, "--city", "wanxiu", lang="zh")
    assert zh.exit_code == 0
    assert zh.stdout.splitlines() == [
        f"{site_list}：读取 11 行，保留 2 行，修正 2 行，拒绝 7 行",
        "坐标系：gcj02（按默认值处理：未声明，也没有可用于判断的道路网络）",
        "  第 3 行 [S2] 拒绝 经度/lon：不是数字：'abc'",
        "  第 4 行 [S3] 拒绝 类型/type：无法识别的值 '仓库'；请填 recycling_point, "
        "collection_market, sorting_centre, processing_base",
        "  第 5 行 [S4] 拒绝 容量/capacity：不能为负数",
        "  第 6 行 [S1] 拒绝 编号/id：与第 2 行编号相同",
        "  第 7 行 [S6] 拒绝 经度/纬度：距第 2 行 1.5 米（同一站点填了两次？）",
        "  第 8 行 [S7] 拒绝 经度/纬度：在研究区域边界之外",
        "  第 9 行 [S8] 已修正 经度/纬度：经度和纬度填反了，已交换",
        "  第 10 行 [S9] 已修正 类型/type：空白：按 recycling_point 处理",
        "  第 12 行 [S11 [2J] 拒绝 状态/status：无法识别的值 '未知状态'；请填 candidate, existing, "
        "required, excluded",
    ]  # the base of row 11 is planned as its tier: nothing said of it
    assert warnings_of(zh) == [
        "gxnet：警告：站点表坐标按 gcj02 处理：未声明，也没有可用于判断的道路网络；"
        "如有误，请用 crs=（或 --crs）声明坐标系"
    ]
    en = run("sites", "check", site_list, "--city", "wanxiu", lang="en")
    assert en.exit_code == 0
    lines = en.stdout.splitlines()
    assert lines[0] == f"{site_list}: 11 rows read, 2 kept, 2 fixed, 7 rejected"
    assert lines[1] == (
        "coordinate system: gcj02 (assumed, the default: not declared and no road network to "
        "detect it against)"
    )
    assert (
        "  row 7 [S6] rejected 经度/纬度: 1.5 m from row 2 (the same site entered twice?)" in lines
    )
    assert (
        "  row 9 [S8] fixed 经度/纬度: latitude and longitude were swapped; swapped back" in lines
    )
    assert not any("not plannable" in line for line in lines)
    assert warnings_of(en) == [
        "gxnet: warning: site list coordinates assumed gcj02: not declared and no road network to "
        "detect it against; declare the system with crs= (or --crs) if this is wrong"
    ]
    # --strict: any rejected row is exit code 2, in either language.
    assert (
        run("sites", "check", site_list, "--city", "wanxiu", "--strict", lang="zh").exit_code == 2
    )


def test_a_plan_refused_for_rejected_rows_lists_them_in_the_console_language(site_list, tmp_path):
    command = ["optimize", "--city", "wanxiu", "--sites", site_list, "--out", tmp_path / "o"]
    zh = run(*command, lang="zh")
    assert zh.exit_code == 2
    error = error_zh = zh.stderr[zh.stderr.index("gxnet：错误：") :].splitlines()
    assert error[0] == f"gxnet：错误：{site_list}：7 行无法用于规划："
    assert error[1] == "  第 3 行：经度/lon：不是数字：'abc'"
    assert "  第 7 行：经度/纬度：距第 2 行 1.5 米（同一站点填了两次？）" in error
    assert not any("第 11 行" in line for line in error)  # the base of row 11 is planned
    assert error[-1].startswith("请修改这些行，或加 --skip-bad-rows 用其余行规划")
    # The fallbacks of a city without OSM data on disk, said in Chinese before the error.
    said = warnings_of(zh)
    assert said[0].startswith("gxnet：警告：wanxiu 在本机没有 OSM 数据：各乡镇的城镇人口放在其镇区")
    assert said[1].startswith(
        "gxnet：警告：wanxiu 的 10 个乡镇中有 4 个在参考数据中没有自己的位置点"
    )
    assert f"gxnet：警告：{site_list}：11 行中修正 2 行、拒绝 7 行；见 SiteList.report" in said[3]
    en = run(*command, lang="en")
    assert en.exit_code == 2
    error = en.stderr[en.stderr.index("gxnet: error:") :].splitlines()
    assert error[0] == f"gxnet: error: {site_list}: 7 rows cannot be planned:"
    assert error[1] == "  row 3: 经度/lon: not a number: 'abc'"
    assert warnings_of(en)[0].startswith("gxnet: warning: no OSM data on disk for wanxiu: each")
    # A hostile cell reaches the terminal without its escape sequences.
    assert (
        "  第 12 行：状态/status：无法识别的值 '未知状态'；请填 candidate, existing, required, "
        "excluded" in error_zh
    )
    assert "\x1b" not in zh.output + en.output


def test_skipped_rows_are_said_in_the_console_language(site_list, tmp_path):
    command = ["optimize", "--city", "wanxiu", "--sites", site_list, "--skip-bad-rows"]
    command += ["--points", "3", "--basemap", "none", "--out", tmp_path / "o"]
    zh = run(*command, lang="zh")
    assert zh.exit_code == 0, zh.output
    assert "    跳过第 3 行 [S2] 经度/lon：不是数字：'abc'" in zh.stderr.splitlines()
    assert "    坐标系：gcj02（按默认值处理：未声明，也没有可用于判断的道路网络）" in zh.stderr
    assert "来自 站点表 " in zh.stderr


# --- Damaged plans -------------------------------------------------------------------------------


@pytest.fixture
def plan_folder(tmp_path) -> Path:
    folder = tmp_path / "plans" / "wuzhou"
    small_plan().save(folder)
    return folder


def _truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


_AGAIN = {
    "zh": "请重新运行 `gxnet optimize` 写出新的规划",
    "en": "run `gxnet optimize` again to write the plan anew",
}


def test_a_truncated_plan_file_names_it_for_map_report_and_resolve(plan_folder, tmp_path):
    doc = plan_folder / "plan.json"
    _truncate(doc)
    for verb in (["map"], ["report"], ["resolve", "--sites", tmp_path / "new.csv"]):
        zh = run(*verb[:1], plan_folder, *verb[1:], lang="zh")
        assert zh.exit_code == 2
        assert re.fullmatch(
            rf"gxnet：错误：{re.escape(str(doc))}：规划文件已损坏（不是 JSON：[^）]+）；"
            + re.escape(_AGAIN["zh"]),
            last_line(zh),
        ), last_line(zh)
        en = run(*verb[:1], plan_folder, *verb[1:], lang="en")
        assert en.exit_code == 2
        assert last_line(en).startswith(f"gxnet: error: {doc}: damaged plan file (not JSON: ")
        assert last_line(en).endswith("); " + _AGAIN["en"])


def test_a_truncated_or_missing_layer_names_the_file(plan_folder):
    layer = plan_folder / "sites.parquet"
    _truncate(layer)
    zh, en = (run("report", plan_folder, lang=lang) for lang in LANGS)
    assert zh.exit_code == en.exit_code == 2
    assert last_line(zh).startswith(f"gxnet：错误：{layer}：图层文件已损坏（")
    assert last_line(zh).endswith("）；" + _AGAIN["zh"])
    assert last_line(en).startswith(f"gxnet: error: {layer}: damaged layer file (")
    layer.unlink()
    zh, en = (run("map", plan_folder, lang=lang) for lang in LANGS)
    assert last_line(zh) == (f"gxnet：错误：{layer}：规划中缺少此图层文件；{_AGAIN['zh']}")
    assert last_line(en) == (
        f"gxnet: error: {layer}: layer file missing from the plan; " + _AGAIN["en"]
    )


def test_a_plan_of_another_program_or_a_newer_format(plan_folder):
    doc = plan_folder / "plan.json"
    doc.write_text('{"format": "gxnet-plan", "version": 99}', encoding="utf-8")
    zh, en = (run("map", plan_folder, lang=lang) for lang in LANGS)
    assert last_line(zh) == (
        f"gxnet：错误：{doc}：规划文件的格式版本为 99，比本版 gxnet 能读取的（1）新；"
        f"请升级 gxnet，或{_AGAIN['zh']}"
    )
    assert last_line(en) == (
        f"gxnet: error: {doc}: a plan of format version 99, newer than this gxnet reads (1); "
        f"upgrade gxnet, or {_AGAIN['en']}"
    )
    doc.write_text("[]", encoding="utf-8")
    zh, en = (run("report", plan_folder, lang=lang) for lang in LANGS)
    assert last_line(zh) == f"gxnet：错误：{doc}：不是 gxnet 的规划文件；{_AGAIN['zh']}"
    assert last_line(en) == f"gxnet: error: {doc}: not a gxnet plan file; {_AGAIN['en']}"


# --- Environment variables and gxnet.toml --------------------------------------------------------


def _console(*args: str, lang: str, **env: str) -> subprocess.CompletedProcess:
    """``python -m gxnet ARGS`` in a fresh process (GXNET_* variables are read at start-up)."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("GXNET_")}
    return subprocess.run(
        [sys.executable, "-m", "gxnet", *args],
        env={**clean, LANG_VARIABLE: lang, **env},
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.mark.parametrize(
    ("env", "zh", "en"),
    [
        (
            {"GXNET_HTTP_TIMEOUT_S": "abc"},
            "环境变量 GXNET_HTTP_TIMEOUT_S='abc' 不是秒数（大于 0）：请改正或删除该变量",
            "environment variable GXNET_HTTP_TIMEOUT_S='abc' is not a number of seconds (above "
            "0): correct it or unset it",
        ),
        (
            {"GXNET_HTTP_RETRIES": "-1", "GXNET_EXTRACT_URL": "ftp://mirror/g.osm.pbf"},
            "环境变量 GXNET_EXTRACT_URL='ftp://mirror/g.osm.pbf' 不是以 http 或 https 开头的网址："
            "请改正或删除该变量（另有 1 处问题）",
            "environment variable GXNET_EXTRACT_URL='ftp://mirror/g.osm.pbf' is not an address "
            "starting with http or https: correct it or unset it (and 1 more)",
        ),
        (
            {"GXNET_HTTP_RETRIES": "-1"},
            "环境变量 GXNET_HTTP_RETRIES='-1' 不是尝试次数（不小于 1 的整数）：请改正或删除该变量",
            "environment variable GXNET_HTTP_RETRIES='-1' is not a number of attempts (a whole "
            "number, at least 1): correct it or unset it",
        ),
        (
            {"GXNET_REFERENCE_DIR": "/no/such/folder"},
            "环境变量 GXNET_REFERENCE_DIR='/no/such/folder' 不存在：请给出已有的目录或删除该变量",
            "environment variable GXNET_REFERENCE_DIR='/no/such/folder' does not exist: give an "
            "existing folder or unset it",
        ),
    ],
)
def test_a_bad_environment_value_in_the_console_language(env, zh, en):
    for lang, line in (("zh", f"gxnet：错误：{zh}\n"), ("en", f"gxnet: error: {en}\n")):
        result = _console("cities", lang=lang, **env)
        assert result.returncode == 2 and result.stderr == line


def test_gxnet_toml_errors_name_the_file_and_the_setting(tmp_path):
    cases = {
        '[targets]\npoints = "many"\n': (
            "字段 “targets.points”：应为整数，实际为 'many'",
            "field 'targets.points': expected a whole number, got 'many'",
        ),
        "[target]\npoints = 5\n": (
            "字段 “target”：未知的节；可用的节为 points, markets, centres, bases, costs, grid, "
            "targets, solver, demand, sites, resolve",
            "field 'target': unknown section; known sections are points, markets, centres, bases, "
            "costs, grid, targets, solver, demand, sites, resolve",
        ),
        "[solver]\ngap = 2.0\n": (
            "字段 “solver.gap”：2.0 超出范围：必须在 0.0 和 1.0 之间",
            "field 'solver.gap': 2.0 is out of range: must be between 0.0 and 1.0",
        ),
        "[targets]\npoints = 5\ncoverage = 0.9\n": (
            "字段 “targets”：请给出 points 或 coverage，不能同时给出",
            "field 'targets': give points or coverage, not both",
        ),
    }
    path = tmp_path / "gxnet.toml"
    for content, (zh, en) in cases.items():
        path.write_text(content, encoding="utf-8")
        for lang, line in (
            ("zh", f"gxnet：错误：{path}，{zh}"),
            ("en", f"gxnet: error: {path}, {en}"),
        ):
            result = run("config", "show", "--config", path, lang=lang)
            assert result.exit_code == 2 and last_line(result) == line
    path.write_text("[targets\n", encoding="utf-8")
    zh, en = (run("config", "show", "--config", path, lang=lang) for lang in LANGS)
    assert last_line(zh).startswith(f"gxnet：错误：{path}：不是有效的 TOML：Expected ']'")
    assert last_line(zh).endswith("；请检查该行的写法（见 `gxnet config show`）")
    assert last_line(en).startswith(f"gxnet: error: {path}: not valid TOML: Expected ']'")
    missing = tmp_path / "none.toml"
    zh, en = (run("config", "show", "--config", missing, lang=lang) for lang in LANGS)
    assert last_line(zh) == f"gxnet：错误：{tmp_path / 'none.toml'}：配置文件不存在；请检查路径"
    assert last_line(en) == f"gxnet: error: {tmp_path / 'none.toml'}: no such configuration file"


def test_options_that_contradict_each_other_or_the_solver(tmp_path):
    base = ["optimize", "--city", "wanxiu", "--out", tmp_path]
    assert last_line(run(*base, "--points", "5", "--coverage", "0.9", lang="zh")) == (
        "gxnet：错误：请给出 --points 或 --coverage，不能同时给出"
    )
    assert last_line(run(*base, "--points", "5", "--coverage", "0.9", lang="en")) == (
        "gxnet: error: give --points or --coverage, not both"
    )
    zh, en = (run(*base, "--gap", "1", lang=lang) for lang in LANGS)
    assert zh.exit_code == en.exit_code == 2
    assert last_line(zh) == "gxnet：错误：solver.gap：1.0 必须不小于 0 且小于 1"
    assert last_line(en) == "gxnet: error: solver.gap: 1.0 must be in [0, 1)"
    zh = run(*base, "--walk-minutes", "-3", lang="zh")
    assert last_line(zh).startswith("gxnet：错误：命令行，字段 “points.service_radius_m_urban”：")
    assert "超出范围：必须" in last_line(zh)


# --- `gxnet fetch` and the road-network caches ---------------------------------------------------


def test_fetch_says_each_network_in_the_console_language(tmp_path, monkeypatch):
    monkeypatch.setattr(settings, "osm_dir", tmp_path / "osm")
    zh = run("fetch", "--area", AREA, "--name", "hel", "--pbf", PBF, lang="zh")
    assert zh.exit_code == 0, zh.output
    lines = zh.stdout.splitlines()
    assert [line.split()[1] for line in lines] == ["walk", "drive", "tricycle"]
    for line in lines:
        assert re.fullmatch(
            r"hel +\w+ +[\d,]+ 个节点 +[\d,]+ 条边   删去 [\d,]+ 个节点、[\d,]+ 条边   \S+\.npz",
            line,
        ), line
    en = run("fetch", "--area", AREA, "--name", "hel", "--pbf", PBF, lang="en")
    for line in en.stdout.splitlines():
        assert re.fullmatch(
            r"hel +\w+ +[\d,]+ nodes +[\d,]+ edges   dropped [\d,]+ nodes, [\d,]+ edges   \S+\.npz",
            line,
        ), line
    # The same figures in both languages.
    assert [re.findall(r"\d[\d,]*", line) for line in lines] == [
        re.findall(r"\d[\d,]*", line) for line in en.stdout.splitlines()
    ]


def test_fetch_refuses_bad_arguments_in_the_console_language(tmp_path, monkeypatch):
    monkeypatch.setattr(settings, "osm_dir", tmp_path / "osm")
    base = ["fetch", "--area", AREA, "--name", "hel"]
    cases = [
        (
            [*base, "--modes", "walk,bike"],
            "未知的出行方式 bike；请从 walk, drive, tricycle 中选择",
            "unknown travel modes bike; choose from walk, drive, tricycle",
        ),
        (
            ["fetch", "--area", AREA, "--name", "Hel sinki"],
            "区域需要一个缓存目录名称，只能用小写拉丁字母、数字、- 或 _（现为 'Hel sinki'），"
            "如 --name wuzhou-centre",
            "an area needs a name for its cache folder of lower-case latin letters, digits, '-' "
            "or '_' (got 'Hel sinki'), e.g. --name wuzhou-centre",
        ),
        (
            [*base, "--pbf", tmp_path / "none.osm.pbf"],
            f"{tmp_path / 'none.osm.pbf'}：文件不存在；请给出 .osm.pbf 文件的路径",
            f"{tmp_path / 'none.osm.pbf'}: no such file; give the path of an .osm.pbf file",
        ),
        (
            [*base, "--source", "pbf"],
            f"{tmp_path / 'osm'}/ 中没有覆盖该区域的 *.osm.pbf：请放一个进去，或使用 --pbf 文件，"
            "或用 --source extract 下载全区数据",
            f"no *.osm.pbf in {tmp_path / 'osm'}/ covers the area: put one there, pass --pbf "
            "FILE, or download the region with --source extract",
        ),
    ]
    for args, zh, en in cases:
        for lang, line in (("zh", f"gxnet：错误：{zh}"), ("en", f"gxnet: error: {en}")):
            result = run(*args, lang=lang)
            assert result.exit_code == 2 and last_line(result) == line, result.output


# --- Warnings and the models' own checks ---------------------------------------------------------


def _sites_edited(folder: Path, old: str, new: str) -> Path:
    """The Helsinki site list with ``old`` replaced by ``new`` in every row."""
    rows = SITES.read_text(encoding="utf-8").splitlines()
    path = folder / "sites.csv"
    path.write_text("\n".join([rows[0], *(r.replace(old, new) for r in rows[1:])]), "utf-8")
    return path


def test_the_household_size_used_is_a_warning_in_the_console_language(tmp_path, monkeypatch):
    monkeypatch.setattr(settings, "osm_dir", tmp_path / "osm")
    existing = _sites_edited(tmp_path, ",candidate,", ",existing,")
    command = ["optimize", "--area", AREA, "--demand", DEMAND, "--sites", existing]
    command += ["--points", "2", "--basemap", "none", "--out", tmp_path / "o"]
    said = {
        "zh": (
            f"gxnet：警告：{DEMAND}：25 行只有户数（人口 = 户数 × 户均人数）；户均人数 每户 2.87 "
            "人（广西 2020 年人口普查数，默认值：其他地区请设 --household-size 或 [demand] "
            "household_size）",
            # Nine existing sites cannot shrink to the two points asked: the model's own check.
            "gxnet：错误：targets.points：要求 2 个回收点，但已有或必建的有 9 个，"
            "可开设的（不含已排除的）有 9 个；请在 [9, 9] 中选择数量",
        ),
        "en": (
            f"gxnet: warning: {DEMAND}: 25 rows give households only (people = households x "
            "size); household size 2.87 persons per household (Guangxi's 2020 census figure, the "
            "default: set --household-size or [demand] household_size for another area)",
            "gxnet: error: targets.points: 2 recycling_points asked for, but 9 are existing or "
            "required and 9 may open (excluded ones left out); choose a number in [9, 9]",
        ),
    }
    for lang, (warning, error) in said.items():
        result = run(*command, lang=lang)
        assert result.exit_code == 2
        assert warnings_of(result) == [warning] and last_line(result) == error


def test_a_bad_option_value_is_said_in_the_console_language():
    cases = [
        (
            ["fetch", "--source", "local"],
            "--source 的值无效：请从 auto, pbf, extract, overpass 中选择",
        ),
        (["optimize", "--points", "abc"], "--points 的值无效：需要一个整数"),
        (["optimize", "--coverage", "most"], "--coverage 的值无效：需要一个数字"),
    ]
    for args, zh in cases:
        result = run(*args, lang="zh")
        assert result.exit_code == 2 and last_line(result) == f"gxnet：错误：{zh}"
    en = run("fetch", "--source", "local", lang="en")
    assert last_line(en) == (
        "gxnet: error: invalid value for --source: 'local' is not one of 'auto', 'pbf', "
        "'extract', 'overpass'."
    )


def test_capacities_too_small_for_the_demand_are_said_in_the_console_language(
    tmp_path, monkeypatch
):
    monkeypatch.setattr(settings, "osm_dir", tmp_path / "osm")
    # Every point holds 50 households: nine of them cannot serve 90 % of Helsinki's sample.
    small = _sites_edited(tmp_path, ",,wgs84", ",50,wgs84")
    command = ["optimize", "--area", AREA, "--demand", DEMAND, "--sites", small]
    command += ["--coverage", "0.9", "--basemap", "none", "--out", tmp_path / "o"]
    zh, en = (run(*command, lang=lang) for lang in LANGS)
    assert zh.exit_code == en.exit_code == 2
    assert last_line(zh) == (
        "gxnet：错误：recycling_point.capacity：可开设的回收点总容量为 450，但必须服务的需求为 "
        "8748；请提高容量、增加候选回收点、取消排除回收点，或降低 targets.coverage"
    )
    assert last_line(en) == (
        "gxnet: error: recycling_point.capacity: the points that may open hold 450 but 8748 of "
        "the demand weight must be served; raise capacities, add candidate points, un-exclude "
        "points, or lower targets.coverage"
    )
