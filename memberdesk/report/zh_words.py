"""The Chinese words of the report's printed headers, for where a wrapped header may break.

A spreadsheet program breaks Chinese text between any two characters, so a header wrapped at
its column's width can print "继续" over "率" or "95%置" over "信下限". Chinese has no spaces to
say where a word ends: this module is the one word list that does, read by the report's
print model (:func:`memberdesk.report.styles.splits_a_word`) to size each header's column so
that it wraps between words only.

Conventions
-----------
* A run of Chinese characters may break at offset ``i`` (between its characters ``i - 1`` and
  ``i``) only where a listed word ends and another begins, and no listed word spans ``i``
  (:func:`cjk_word_breaks`). A character no listed word covers is never a break's neighbour,
  so an unlisted term is kept whole rather than broken at random; a test checks that every
  Chinese header of the sample's workbook is covered from end to end.
* Longer terms are listed whole where a reader takes them as one word ("继续率", not
  "继续" + "率"; "保单年度"; "智能客服"); a compound of two words is listed as its parts so it
  may break between them ("置信" + "下限", "犹豫期" + "撤单").
* Single characters are listed only where they stand alone as a word: units (件, 人, 元, 天,
  月, 秒, 行, 次) and particles (与, 后, 内, 前, 过, 第, 每, 上, 下, 未).
"""
from __future__ import annotations

import re
from functools import lru_cache

_WORDS = """
件 人 元 天 月 秒 行 次 值 第 前 后 内 过 与 每 上 下 未 和 或 及 按 的

个月 月份 每月 年度 保单年 保单年度 期间 期间类型 日期 截至 截止月 起始月 之后 生效后 月数 个月前
上期 最新 时间 依赖 天内 第二

保单 保单数 件数 会员 会员数 保费 年化 年化保费 新单 有效 生效 期初 期末 队列 考核 口径 缴费 趸交
首期 未缴 豁免 撤单 犹豫期 满期 身故 退保 退保率 失效 理赔 结案 已结案 未结案 结案率 结案时效
赔付 比例 占比 金额 成本 单次 人均 权益 使用 使用过 未使用 使用率 次数 服务 服务量 客户 满意度
智能客服 替代率 人工 接通率 排队量 平均 等待 电话 微信 网页 在线 问诊 健康 体检 就医 预约 齿科
诊疗 意见 积分 级别 普通 渠道 个险 代理人 银保 经纪 互联网 第三方 平台 产品 联系

继续率 留存率 生存率 发生率 累积 风险 风险率 风险比 风险集 风险保费 十分位 暴露 暴露数 退出
失效数 发生数 问题 时长 百名 每百名 退出数 概率 条件 实际 实际值 实际数 实际观察 观察 预期 预期值
预测 删失数 可信度 解决率 捕获率
提升度 中位 中位数 置信 上限 下限 控制限 上控制限 下控制限 标准误 自由度 检验 统计量 对数似然
协变量 参数 模型 分布 指数 指数分布 对数正态 对数逻辑 威布尔 比例风险 假定 密度 朴素 对比 基准
最优 最高 随机 顺序 界标 分析 范围内 整体 比率 分数 分母 分子 百分点 变化 变动 方向 分组 分群
维度 主题 内容 原因 状态 说明 方法 取值 数值 单位 指标 名称 血缘 计算 公式 路径 业务 定义 数据表
工作表 文件 读取 行数 接受 拒绝 信息 剔除
"""
WORDS: frozenset[str] = frozenset(_WORDS.split())
# a number belongs with the character before it after these: "第" | "13个月", "前" | "10%" split
NUMBER_PREFIXES = "第前每近约"
_LONGEST = max(len(w) for w in WORDS)
_RUN = re.compile(r"[\u4e00-\u9fff]+")  # CJK unified ideographs: the characters words are of


@lru_cache(maxsize=4096)
def _run_breaks(run: str) -> tuple[frozenset[int], frozenset[int]]:
    """Offsets inside ``run`` (a string of Chinese characters) where it may break, and the
    offsets of its characters no listed word covers."""
    starts: set[int] = set()
    ends: set[int] = set()
    spanned: set[int] = set()
    covered: set[int] = set()
    for i in range(len(run)):
        for n in range(1, min(_LONGEST, len(run) - i) + 1):
            if run[i:i + n] in WORDS:
                starts.add(i)
                ends.add(i + n)
                spanned.update(range(i + 1, i + n))
                covered.update(range(i, i + n))
    breaks = {i for i in range(1, len(run))
              if i in starts and i in ends and i not in spanned}
    return frozenset(breaks), frozenset(set(range(len(run))) - covered)


def cjk_word_breaks(text: str) -> frozenset[int]:
    """Offsets into ``text`` between two Chinese characters where a wrapped line may break
    without splitting a word of :data:`WORDS` (see the module's conventions); offsets between
    two Chinese characters not listed are inside a word."""
    out: set[int] = set()
    for m in _RUN.finditer(text):
        breaks, _ = _run_breaks(m.group())
        out.update(m.start() + i for i in breaks)
    return frozenset(out)


def uncovered(text: str) -> str:
    """The Chinese characters of ``text`` that no listed word covers ("" when the word list
    knows every word of it): a header with such characters never breaks next to them."""
    missing: list[str] = []
    for m in _RUN.finditer(text):
        _, gaps = _run_breaks(m.group())
        missing.extend(m.group()[i] for i in sorted(gaps))
    return "".join(missing)
