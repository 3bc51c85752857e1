"""The command line in Chinese (the default) and English: help, errors, progress, summaries."""

from __future__ import annotations

import io
import re
import subprocess
import sys
import time

import pytest
from click.testing import CliRunner

from gxnet._messages import LANG_VARIABLE, messages
from gxnet.cli import cli
from gxnet.progress import Progress


def run(*args: str, lang: str | None = None):
    env = {LANG_VARIABLE: lang} if lang is not None else {LANG_VARIABLE: ""}
    return CliRunner(env=env).invoke(cli, list(args), prog_name="gxnet")


def test_help_is_chinese_by_default():
    result = run("--help")
    assert result.exit_code == 0
    assert result.output.startswith("用法： gxnet [OPTIONS] COMMAND [ARGS]...")
    assert "在真实道路网络上规划广西的再生资源回收点和分拣中心。" in result.output
    assert "选项" in result.output and "命令" in result.output
    assert "显示本帮助并退出。" in result.output
    assert "Usage:" not in result.output and "Show this message" not in result.output


def test_help_in_english_with_lang_or_the_environment():
    for result in (run("--lang", "en", "--help"), run("--help", lang="en")):
        assert result.exit_code == 0
        assert result.output.startswith("Usage: gxnet [OPTIONS] COMMAND [ARGS]...")
        assert "Plan recycling points and sorting centres on real road networks" in result.output
        assert "Commands:" in result.output and "规划" not in result.output


def test_optimize_help_in_both_languages():
    zh = run("optimize", "--help").output
    assert "回收点数量（覆盖尽可能多的户数）。" in zh and "--time-limit" in zh
    assert "优化求解阶段的时限（秒）。" in zh and "底图：amap（高德" in zh
    en = " ".join(run("--lang", "en", "optimize", "--help").output.split())
    assert "Number of recycling points (most households covered)." in en
    assert "Seconds for the model stage." in en and "回收点数量" not in en
    # --lang after the verb works too.
    assert "Seconds for the model stage" in run("optimize", "--lang", "en", "--help").output


def test_option_defaults_and_required_marks_in_chinese():
    assert "输出：对齐的表格、CSV 或 JSON。  [默认：table]" in run("cities", "--help").output
    resolve = run("resolve", "--help").output
    assert "[必填]" in resolve and "[targets] township_minimum）。" in " ".join(resolve.split())


def test_every_verb_has_help_in_both_languages():
    for verb in ("cities", "fetch", "optimize", "resolve", "map", "report"):
        for lang, marker in (("zh", "用法："), ("en", "Usage:")):
            result = run("--lang", lang, verb, "--help")
            assert result.exit_code == 0 and result.output.startswith(marker), (verb, lang)
            options = result.output.split("\n\n")[-1]
            # Every option explains itself in the language asked (no bare option lines).
            for line in options.splitlines()[1:]:
                if line.strip().startswith("-"):
                    assert len(line.split("  ")) > 1 or "[" in line, (verb, lang, line)


def test_an_unknown_city_in_both_languages():
    zh = run("optimize", "--city", "wuzho")
    assert zh.exit_code == 2
    # The error line comes after the progress line of the area stage.
    assert zh.stderr.splitlines()[-1].startswith(
        "gxnet：错误：广西没有名为 “wuzho” 的城市或县区；是否想找：Wuzhou (梧州市)"
    )
    en = run("--lang", "en", "optimize", "--city", "wuzho")
    assert en.exit_code == 2
    last = en.stderr.splitlines()[-1]
    assert last.startswith("gxnet: error: no city or county named 'wuzho' in Guangxi; did")


def test_a_missing_file_names_the_file_in_both_languages(tmp_path):
    missing = tmp_path / "没有.csv"
    for lang, line in (
        ("zh", f"gxnet：错误：{missing}：文件不存在；请检查路径\n"),
        ("en", f"gxnet: error: {missing}: no such file; check the path\n"),
    ):
        result = run("--lang", lang, "optimize", "--city", "wanxiu", "--sites", str(missing))
        assert result.exit_code == 2 and result.stderr == line


def test_a_bad_demand_row_names_file_row_and_field_in_chinese(tmp_path):
    demand = tmp_path / "社区.csv"
    demand.write_text("经度,纬度,户数\n111.30,23.48,800\n111.31,23.47,约300\n", encoding="utf-8")
    result = run("optimize", "--city", "wanxiu", "--demand", str(demand), "--out", str(tmp_path))
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == (
        f"gxnet：错误：{demand}，第 3 行，字段 “户数”：“约300” 不是非负数"
    )


def test_a_mistyped_option_in_chinese():
    result = run("optimize", "--pionts", "5")
    assert result.exit_code == 2
    assert "gxnet：错误：没有选项 --pionts" in result.stderr
    assert "运行 'gxnet optimize --help' 查看帮助。" in result.stderr


def test_an_unknown_environment_language_is_refused_in_chinese_or_the_language_asked():
    result = run("cities", lang="fr")
    assert result.exit_code == 2
    assert result.stderr == (
        "gxnet：错误：环境变量 GXNET_LANG='fr' 不是可用的语言（zh 或 en）：请改正或删除该变量\n"
    )
    result = run("--lang", "en", "cities", lang="fr")
    assert result.exit_code == 2
    assert result.stderr == (
        "gxnet: error: environment variable GXNET_LANG='fr' is not a language (zh or en): "
        "correct it or unset it\n"
    )


def test_a_read_only_output_folder_in_chinese(tmp_path):
    from gxnet._errors import OutputError, not_writable

    error = not_writable(tmp_path / "plans", "err_read_only", tmp_path)
    assert isinstance(error, OutputError)
    assert (
        error.localized("zh")
        == f"无法写入 {tmp_path / 'plans'}：{tmp_path} 是只读的；请选择可写的目录（--out）"
    )
    assert str(error).endswith("is read-only; choose a writable folder (--out)")


def test_every_key_the_code_uses_is_in_the_catalogue():
    import pathlib

    import gxnet

    root = pathlib.Path(gxnet.__file__).parent
    used = set()
    for path in root.rglob("*.py"):
        source = path.read_text(encoding="utf-8")
        used |= set(re.findall(r"key=\"(\w+)\"", source))
        # Phrases inside messages, warnings and progress lines.
        used |= set(re.findall(r"\b(?:Phrase|GxnetWarning|tell)\(\s*\"(\w+)\"", source))
        if re.search(r"from gxnet\._messages import [^\n]*\btext\b|^    text,$", source, re.M):
            used |= set(re.findall(r"\btext\(\s*\"(\w+)\"", source))
    zh, en = messages("zh"), messages("en")
    assert used and not used - set(zh)
    assert all(zh[k].strip() and en[k].strip() for k in zh)


def test_progress_lines_without_a_terminal():
    stream = io.StringIO()
    progress = Progress("zh", stream=stream)
    assert progress.bars is False
    with progress.stage("model", budget_s=30):
        progress.say("p-median：已证明为最优方案")
    lines = stream.getvalue().splitlines()
    assert lines[0] == "[1] 优化求解 ... (时限 30.0 秒)"
    assert lines[1] == "    p-median：已证明为最优方案"
    assert re.fullmatch(r"    完成，用时 \d+\.\d 秒", lines[2])


def test_progress_bar_shows_the_stage_elapsed_against_the_limit_and_time_left():
    stream = io.StringIO()
    progress = Progress("en", stream=stream, bars=True)
    with progress.stage("model", budget_s=60):
        time.sleep(1.2)  # long enough for the bar to be redrawn by its own thread at least once
    shown = stream.getvalue()
    assert "[1] model solve:" in shown and "limit 60s" in shown and "left" in shown
    with progress.stage("outputs", steps=3) as stage:
        stage.step()
    assert "[2] write plan, map and workbook: 1/3" in stream.getvalue()


def test_a_run_on_a_terminal_draws_bars(tmp_path):
    """`gxnet cities` on a pseudo-terminal speaks Chinese; a plan's stages draw bars there."""
    pytest.importorskip("pty")
    import os
    import pty

    pid, fd = pty.fork()
    if pid == 0:  # the child: a short run whose progress goes to the terminal
        os.environ.pop(LANG_VARIABLE, None)
        code = (
            "from gxnet.progress import Progress\n"
            "p = Progress()\n"
            "with p.stage('costs'):\n"
            "    import time; time.sleep(0.8)\n"
        )
        os.execv(sys.executable, [sys.executable, "-c", code])
    output = b""
    while True:
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            break
        if not chunk:
            break
        output += chunk
    os.waitpid(pid, 0)
    text = output.decode("utf-8", "replace")
    assert "[1] 出行时间:" in text and "\r" in text  # a bar redrawn in place


def test_the_console_script_speaks_chinese():
    result = subprocess.run(
        [sys.executable, "-m", "gxnet", "cities", "no-such-city"],
        capture_output=True,
        text=True,
        env={**__import__("os").environ, LANG_VARIABLE: "zh"},
    )
    assert result.returncode == 2
    assert result.stderr.startswith("gxnet：错误：广西没有名为 “no-such-city” 的城市")
