"""Definitions behind the metrics registry (data only; logic in :mod:`memberdesk.analysis.metrics`).

Chinese terms follow the usage of Chinese life insurers: 继续率 (persistency), 退保 (surrender),
失效 (lapse), 理赔 (claims), 权益 (member benefits), 智能客服替代率, 人工接通率, 风险比
(hazard ratio), 生存曲线 (survival curve), 删失 (censoring), 暴露数 (exposure), 实际/预期 (A/E),
可信度 (credibility), 保单年度 (policy year), 界标 (landmark, as in 界标分析; not 地标).
Every metric has an English ``formula`` and a Chinese ``formula_zh``; the Chinese one keeps data
column ids (``member_id``, ``annual_premium``, …) and mathematical symbols unchanged.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

TERMS: dict[str, tuple[str, str]] = {
    "cockpit": ("Management cockpit", "经营管理驾驶舱"),
    "dictionary": ("Metric dictionary", "数据指标字典"),
    "lineage": ("Metric lineage", "指标血缘"),
}
# Unit id -> what the reader sees beside the figure (en, zh). "ratio" is a share or a rate of 1
# that every presenter shows as a percentage (0.0%; its change in percentage points): its label
# is "%" (the Definitions sheet printed "ratio" / "比率" beside figures shown as 90.5%). A
# hazard ratio, a plain number (1.30), is "times"; a 0-to-1 weight shown as 0.58, "factor".
UNIT_LABELS: dict[str, tuple[str, str]] = {
    "count": ("count", "个"), "CNY": ("CNY", "元"), "ratio": ("%", "%"),
    "times": ("ratio (×)", "倍"), "factor": ("factor (0–1)", "系数（0–1）"),
    "months": ("months", "月"), "days": ("days", "天"), "seconds": ("seconds", "秒"),
    "years": ("policy-years", "保单年"), "per_100": ("per 100 members", "每百名会员"),
    "probability": ("p-value", "p值"), "statistic": ("test statistic", "检验统计量"),
}
DIRECTIONS: dict[str, tuple[str, str]] = {
    "up": ("higher is better", "越高越好"), "down": ("lower is better", "越低越好"),
    "neutral": ("neither", "中性"),
}
CATEGORIES: dict[str, tuple[str, str]] = {
    "cockpit": ("Cockpit", "经营管理驾驶舱"), "retention": ("Retention", "留存"),
    "persistency": ("Persistency", "继续率"), "experience": ("Experience study", "经验分析"),
    "benefits": ("Benefits", "权益"), "service": ("Service", "服务"), "claims": ("Claims", "理赔"),
    "alerts": ("Early warning", "预警"),
}
DICTIONARY_HEADERS: dict[str, tuple[str, str]] = {
    "id": ("ID", "指标编码"), "category": ("Area", "主题"), "name": ("Metric", "指标名称"),
    "definition": ("Definition", "业务定义"), "formula": ("Formula", "计算公式"),
    "unit": ("Unit", "单位"), "good_direction": ("Good direction", "方向"),
    "sources": ("Source columns", "来源字段"),
}
PARAMETERS: dict[str, tuple[str, str]] = {
    "as_of": ("As-of date", "统计截止日"),
    "event_statuses": ("Statuses counted as the event", "事件状态（默认失效、退保）"),
    "free_look_days": ("Free-look period (days)", "犹豫期天数"),
    "expected_table": ("Expected-rate table", "预期发生率表"),
    "landmark_months": ("Landmark (months after issue)", "界标时点（生效后月数）"),
    "lookback_days": ("Look-back window (days)", "回看窗口（天）"),
    "segment": ("Segment column", "分组字段"),
    # analysis assumptions (core.assumptions; Analysis > Assumptions..., --assumptions)
    "grace_days": ("Grace period (days)", "宽限期天数"),
    "credibility_standard": ("Credibility standard (p, r)", "可信度标准（p, r）"),
    "ci_level": ("Confidence level", "置信水平"),
    "band_cut_offs": ("Band cut-offs (age, premium, duration)", "分段界限（年龄、保费、保单年度）"),
    "reference_levels": ("Cox reference levels", "Cox模型参照水平"),
}

# Derived column -> (inputs, how it is derived en, zh). Names a lineage may use besides schema's.
DERIVED_COLUMNS: dict[str, tuple[tuple[str, ...], str, str]] = {
    "policies.exit_date": (("policies.end_date", "param:as_of"),
                           "end_date when on or before as-of, else empty",
                           "终止日期不晚于统计截止日时取终止日期，否则为空"),
    "policies.exit_status": (("policies.status", "policies.exit_date"),
                             "status at as-of: in force, or the termination status",
                             "截止日时的状态：有效或终止原因"),
    "policies.duration_days": (("policies.issue_date", "policies.exit_date", "param:as_of"),
                               "issue date to exit date, or to as-of when in force (删失)",
                               "生效日至终止日；仍有效者至统计截止日（删失）"),
    "policies.duration_months": (("policies.duration_days",), "days ÷ (365.25/12)",
                                 "天数 ÷ (365.25/12)"),
    "policies.event": (("policies.exit_status", "param:event_statuses"),
                       "1 when the exit status is an event status (lapsed, surrendered)",
                       "终止原因属于事件状态（失效、退保）时为1"),
    "policies.in_force": (("policies.issue_date", "policies.exit_date", "param:as_of"),
                          "issued on or before the date and not terminated by it",
                          "生效日不晚于该日且未终止"),
    "policies.policy_year": (("policies.issue_date", "policies.exit_date", "param:as_of"),
                             "policy year n: issue + (n−1) years to the day before issue + n years",
                             "第n保单年度：生效日+(n−1)年至生效日+n年前一日"),
    "service_contacts.human_queue": (("service_contacts.handled_by",
                                      "service_contacts.transferred_to_human"),
                                     "handled_by = human, or a bot contact transferred to a human",
                                     "人工处理，或智能客服转人工"),
    "service_contacts.bad_experience": (("service_contacts.resolved",
                                         "service_contacts.satisfaction"),
                                        "unresolved, or rated 2 or lower",
                                        "未解决，或满意度评分不高于2"),
    "claims.settlement_days": (("claims.reported_at", "claims.settled_at", "param:as_of"),
                               "days from report to settlement; open claims censored at as-of",
                               "报案至结案天数；未结案件于截止日删失"),
    "benefit_usage.in_window": (("benefit_usage.used_at", "param:as_of"),
                                "used in the 12 months to as-of", "统计截止日前12个月内使用"),
}

# Intermediate result -> (label en, label zh, inputs, how en, how zh).
RESULTS: dict[str, tuple[str, str, tuple[str, ...], str, str]] = {
    "km_curve": ("Kaplan-Meier survival curve", "Kaplan-Meier生存曲线",
                 ("policies.duration_months", "policies.event", "param:segment"),
                 "product-limit estimate, censored (删失) policies leave the risk set",
                 "乘积极限估计，删失保单退出风险集"),
    "cox_model": ("Cox proportional hazards model", "Cox比例风险模型",
                  ("policies.duration_months", "policies.event", "policies.product",
                   "policies.channel", "policies.annual_premium", "members.gender"),
                  "partial likelihood, Efron ties", "偏似然估计，Efron结处理"),
    # claims: a policy ended by a claim paid by the as-of date (claims.status = paid, matched on
    # policy_id; a settlement after the as-of date leaves the claim open) leaves the cohort.
    "persistency_cohort": ("Persistency cohort", "继续率考核保单",
                           ("policies.issue_date", "policies.payment_frequency",
                            "policies.exit_status", "policies.exit_date",
                            "policies.annual_premium", "policies.policy_id", "claims.policy_id",
                            "claims.status", "claims.settled_at", "param:free_look_days",
                            "param:as_of"),
                           "regular-premium policies whose 13th/25th month ends in the period, "
                           "excluding single premium, free-look cancellations, death and claims",
                           "考核期内第13/25个保单月届满的期交保单，剔除趸交、犹豫期撤单、身故及理赔终止"),
    "persistency_count_cohort": ("Persistency cohort (policy count)", "继续率考核保单（件数）",
                                 ("policies.issue_date", "policies.payment_frequency",
                                  "policies.exit_status", "policies.exit_date",
                                  "policies.policy_id", "claims.policy_id", "claims.status",
                                  "claims.settled_at", "param:free_look_days", "param:as_of"),
                                 "the persistency cohort counted in policies (premium not used)",
                                 "按件数统计的继续率考核保单（不使用保费）"),
    "cohort_table": ("Issue-month cohorts", "生效月队列",
                     ("policies.issue_date", "policies.exit_date", "param:as_of"),
                     "policies grouped by issue month; share in force at each month end",
                     "按生效月分组，统计各月末仍有效比例"),
    "exposure_table": ("Exposure by policy year", "分保单年度暴露数",
                       ("policies.policy_year", "policies.exit_status", "param:as_of"),
                       "days observed ÷ days in the period, annual method",
                       "观察天数 ÷ 期间天数（年度法）"),
    "expected_rates": ("Expected rates", "预期发生率",
                       ("param:expected_table", "policies.policy_year"),
                       "rate per policy year (and segment) from the expected table",
                       "按保单年度（及分组）取预期发生率"),
    "competing_risks": ("Competing decrements", "竞争风险（多减因）",
                        ("policies.duration_months", "policies.exit_status"),
                        "Aalen-Johansen estimate per exit status", "按终止原因的Aalen-Johansen估计"),
    "contact_flags": ("Service contact flags", "服务记录标记",
                      ("service_contacts.started_at", "service_contacts.handled_by",
                       "service_contacts.transferred_to_human", "service_contacts.human_queue",
                       "service_contacts.connected", "service_contacts.resolved",
                       "service_contacts.satisfaction"),
                      "per contact 0/1 flags summed per month or window",
                      "逐条服务记录的0/1标记，按月或窗口汇总"),
    "benefit_users": ("In-force members who used a benefit", "使用过权益的有效会员",
                      ("policies.in_force", "policies.member_id", "benefit_usage.member_id",
                       "benefit_usage.in_window"),
                      "members in force at the date with ≥ 1 use in the window",
                      "该日有效且窗口内至少使用一次权益的会员"),
    "benefit_landmark": ("Landmark design (users vs non-users)", "界标分析（使用者与未使用者）",
                         ("policies.duration_months", "policies.event", "policies.issue_date",
                          "benefit_usage.member_id", "benefit_usage.used_at",
                          "param:landmark_months"),
                         "policies in force at the landmark, classed by use before it, "
                         "followed from the landmark", "界标时点仍有效的保单，按界标前是否使用分组，自界标起随访"),
    "service_landmarks": ("Stacked service landmarks", "服务体验界标数据",
                          ("policies.in_force", "policies.event", "policies.member_id",
                           "service_contacts.member_id", "service_contacts.bad_experience",
                           "param:lookback_days"),
                          "policies in force at each quarterly landmark, exposed if their member "
                          "had a bad contact in the look-back window",
                          "各季度界标时点有效保单，回看窗口内有不佳服务体验者为暴露组"),
    "claim_km": ("Claim settlement curve", "理赔未结案生存曲线",
                 ("claims.settlement_days", "claims.policy_id", "policies.product"),
                 "Kaplan-Meier of 'still open' against days since report",
                 "以报案后天数为时间的未结案Kaplan-Meier曲线"),
}


GoodDirection = Literal["up", "down", "neutral"]


@dataclass(frozen=True)
class MetricDefinition:
    """One registry entry as written here (``metrics.Metric`` adds the expanded lineage).
    ``formula`` is English; ``formula_zh`` says the same in Chinese, keeping data column ids
    (``member_id``, ``annual_premium``, …) and symbols as they are. ``inputs`` are lineage nodes
    (``table.column``, ``metric:<id>``, ``result:<name>``, ``param:<name>``)."""

    category: str
    name_en: str
    name_zh: str
    definition_en: str
    definition_zh: str
    formula: str
    formula_zh: str
    unit: str
    good: GoodDirection
    inputs: tuple[str, ...]


def _m(mid: str, category: str, name_en: str, name_zh: str, definition_en: str,
       definition_zh: str, formula: str, formula_zh: str, unit: str, good: GoodDirection,
       inputs: tuple[str, ...]) -> tuple[str, MetricDefinition]:
    """One registry entry, keyed by its id."""
    return mid, MetricDefinition(category, name_en, name_zh, definition_en, definition_zh, formula,
                                 formula_zh, unit, good, inputs)


_W = "in the 12 months to the date"
_WZ = "统计截止日前12个月内"
METRICS: dict[str, MetricDefinition] = dict([
    # ---- cockpit KPIs ---------------------------------------------------------------------
    _m("in_force_members", "cockpit", "In-force members", "有效会员数",
       "Members holding at least one in-force policy at the date.",
       "统计日持有至少一张有效保单的会员人数。",
       "count distinct member_id where policy in force", "有效保单对应的 member_id 去重计数", "count", "up",
       ("policies.member_id", "policies.in_force")),
    _m("in_force_policies", "cockpit", "In-force policies", "有效保单数",
       "Policies issued on or before the date and not terminated by it.",
       "生效日不晚于统计日且未终止的保单件数。", "count policies in force", "有效保单件数", "count", "up",
       ("policies.in_force",)),
    _m("in_force_premium", "cockpit", "In-force annual premium", "有效年化保费",
       "Sum of the annual premium of the policies in force at the date.",
       "统计日有效保单的年化保费合计。", "Σ annual_premium over in-force policies",
       "Σ 有效保单的 annual_premium", "CNY", "up",
       ("policies.in_force", "policies.annual_premium")),
    _m("new_business_policies", "cockpit", "New business policies", "新单件数",
       f"Policies issued {_W}.", f"{_WZ}生效的保单件数。",
       "count policies with issue_date in (t − 12 months, t]",
       "issue_date ∈ (t − 12个月, t] 的保单件数", "count", "up",
       ("policies.issue_date", "param:as_of")),
    _m("new_business_premium", "cockpit", "New business annual premium", "新单年化保费",
       f"Annual premium of the policies issued {_W}.", f"{_WZ}生效保单的年化保费合计。",
       "Σ annual_premium where issue_date in (t − 12 months, t]",
       "Σ annual_premium（issue_date ∈ (t − 12个月, t] 的保单）", "CNY", "up",
       ("policies.issue_date", "policies.annual_premium", "param:as_of")),
    _m("persistency_13", "cockpit", "13-month persistency (premium)", "13个月保费继续率",
       "Annual premium of the cohort still in force at the end of its 13th policy month ÷ the "
       "cohort's annual premium; cohort = regular-premium policies whose 13th month ends in the "
       "rolling 12 months to the date.",
       "考核保单中第13个保单月末仍有效的年化保费 ÷ 考核保单年化保费；考核保单为滚动12个月内第13个保单月"
       "届满的期交保单（剔除趸交、犹豫期撤单、身故及理赔终止）。",
       "Σ premium in force at month 13 ÷ Σ cohort premium",
       "Σ 第13个保单月末仍有效的年化保费 ÷ Σ 考核保单年化保费", "ratio", "up",
       ("result:persistency_cohort",)),
    _m("persistency_25", "cockpit", "25-month persistency (premium)", "25个月保费继续率",
       "As the 13-month ratio, at the end of the 25th policy month.",
       "同13个月继续率，考核第25个保单月末。",
       "Σ premium in force at month 25 ÷ Σ cohort premium",
       "Σ 第25个保单月末仍有效的年化保费 ÷ Σ 考核保单年化保费", "ratio", "up",
       ("result:persistency_cohort",)),
    _m("lapse_rate_annualised", "cockpit", "Annualised lapse & surrender rate", "年化失效退保率",
       f"Voluntary terminations (lapsed, surrendered) {_W} ÷ policy-years in force in the same "
       "window (a central rate per policy-year).",
       f"{_WZ}失效及退保件数 ÷ 同期有效保单暴露数（保单年），即每保单年的中心发生率。",
       "events in (t − 12m, t] ÷ Σ days in force in the window / 365.25",
       "(t − 12个月, t] 内失效及退保件数 ÷ (Σ 窗口内有效天数 / 365.25)", "ratio", "down",
       ("policies.event", "policies.exit_date", "policies.issue_date", "param:as_of")),
    _m("median_policy_lifetime_months", "cockpit", "Median policy lifetime", "保单存续期中位数",
       "Months after which half the policies have lapsed or surrendered (Kaplan-Meier median; "
       "other exits and in-force policies are censored).",
       "半数保单发生失效或退保所需的月数（Kaplan-Meier中位数；其他终止及有效保单作删失处理）。",
       "min t: S(t) ≤ 0.5",
       "使 S(t) ≤ 0.5 的最小月数 t（S(t)为未失效、未退保的生存曲线）", "months", "up", ("result:km_curve",)),
    _m("benefit_usage_rate", "cockpit", "Benefit usage rate", "权益使用率",
       f"Share of in-force members who used at least one benefit {_W}.",
       f"统计日有效会员中{_WZ}至少使用一次权益的比例。",
       "in-force members with ≥ 1 use ÷ in-force members",
       "窗口内至少使用一次权益的有效会员数 ÷ 有效会员数", "ratio", "up",
       ("result:benefit_users", "metric:in_force_members")),
    _m("bot_replacement_rate", "cockpit", "Bot replacement rate", "智能客服替代率",
       f"Bot contacts not transferred to a human ÷ all contacts {_W} (anonymous contacts "
       "included).", f"{_WZ}未转人工的智能客服服务量 ÷ 全部服务量（含匿名来访）。",
       "bot ∧ ¬transferred_to_human ÷ all contacts",
       "未转人工的智能客服服务量（bot ∧ ¬transferred_to_human）÷ 全部服务量",
       "ratio", "up", ("service_contacts.started_at", "service_contacts.handled_by",
                       "service_contacts.transferred_to_human")),
    _m("human_connection_rate", "cockpit", "Human connection rate", "人工接通率",
       f"Human-queue contacts that were connected ÷ human-queue contacts {_W}; human queue = "
       "handled by a human or transferred from the bot.",
       f"{_WZ}人工队列中已接通的服务量 ÷ 人工队列服务量；人工队列 = 人工处理或智能客服转人工。",
       "connected ÷ (handled_by = human ∨ transferred_to_human)",
       "已接通服务量（connected）÷ 人工队列服务量（handled_by = human ∨ transferred_to_human）", "ratio", "up",
       ("service_contacts.started_at", "service_contacts.human_queue",
        "service_contacts.connected")),
    _m("csat", "cockpit", "Customer satisfaction (CSAT)", "客户满意度（CSAT）",
       f"Share of rated contacts {_W} with a satisfaction score of 4 or 5.",
       f"{_WZ}有评价的服务中满意度为4分或5分的比例。",
       "rated ∧ satisfaction ≥ 4 ÷ rated",
       "satisfaction ≥ 4 的有评价服务量 ÷ 有评价服务量", "ratio", "up", ("service_contacts.started_at",
                                                                 "service_contacts.satisfaction")),
    _m("median_claim_settlement_days", "cockpit", "Median claim settlement time",
       "理赔结案时效中位数",
       f"Kaplan-Meier median of days from report to settlement for claims reported {_W}; open "
       "claims are censored at the date.",
       f"{_WZ}报案的理赔案件自报案至结案天数的Kaplan-Meier中位数；未结案件于统计日删失。",
       "min d: S_open(d) ≤ 0.5",
       "使 S_open(d) ≤ 0.5 的最小天数 d（S_open(d)为报案后第d天仍未结案的比例）", "days", "down",
       ("claims.settlement_days",)),
    # ---- retention --------------------------------------------------------------------------
    _m("km_survival", "retention", "Retention (Kaplan-Meier survival)", "留存率（Kaplan-Meier生存曲线）",
       "Kaplan-Meier probability that a policy has not lapsed or surrendered by each duration; "
       "95% CI by exponential Greenwood.", "保单至各时长仍未失效或退保的Kaplan-Meier概率（生存曲线），"
       "95%置信区间采用指数Greenwood法。", "S(t) = Π (1 − dᵢ/nᵢ)",
       "S(t) = Π (1 − dᵢ/nᵢ)，dᵢ为tᵢ时的失效及退保数，nᵢ为风险集保单数", "ratio", "up",
       ("result:km_curve",)),
    _m("km_median", "retention", "Median survival time", "中位生存时间",
       "Smallest duration at which Kaplan-Meier survival falls to 0.5 or below.",
       "Kaplan-Meier生存率首次降至0.5及以下的时长。", "min t: S(t) ≤ 0.5", "使 S(t) ≤ 0.5 的最小时长 t", "months", "up",
       ("result:km_curve",)),
    _m("km_at_risk", "retention", "Number at risk", "风险集保单数",
       "Policies still observed (not yet exited or censored) at the start of each duration.",
       "各时点仍在观察中（未终止且未删失）的保单数。", "nᵢ = #{duration ≥ tᵢ}", "nᵢ = 存续时长 ≥ tᵢ 的保单数", "count",
       "neutral", ("result:km_curve",)),
    _m("logrank_test", "retention", "Log-rank test p-value", "对数秩检验p值",
       "Probability of differences between segment curves at least this large if retention "
       "did not differ between segments.", "若各分组留存无差异，观察到当前或更大差异的概率。",
       "χ² = Σ (O − E)² / V, df = groups − 1",
       "χ² = Σ (O − E)² / V（O为实际事件数，E为预期事件数，V为方差），自由度 = 分组数 − 1",
       "probability", "neutral", ("result:km_curve",)),
    _m("hazard_ratio", "retention", "Hazard ratio (Cox)", "风险比（Cox模型）",
       "Multiplicative effect of a covariate level on the lapse/surrender hazard vs the "
       "reference level (most frequent level).", "协变量水平相对参照水平（最常见水平）对失效/退保风险的倍数效应。",
       "exp(β)", "exp(β)，β为该协变量水平的Cox模型系数", "times", "neutral", ("result:cox_model",)),
    _m("cohort_retention", "retention", "Cohort retention", "队列留存率",
       "Share of an issue-month cohort still in force at the end of each month since issue; "
       "blank when not fully observed.", "各生效月队列在生效后各月末仍有效的比例；未完整观察的单元格留空。",
       "in force at month m ÷ cohort size",
       "第m月末仍有效的保单数 ÷ 队列保单数", "ratio", "up", ("result:cohort_table",)),
    _m("cumulative_incidence", "retention", "Cumulative incidence by exit cause", "累积发生率（按终止原因）",
       "Probability of exiting by each cause (lapse, surrender, death, maturity) by each "
       "duration, with the other causes as competing decrements.",
       "各终止原因（失效、退保、身故、满期）至各时长的累积发生概率，其余原因作为竞争风险。",
       "CIFₖ(t) = Σ S(tᵢ₋) dₖᵢ / nᵢ",
       "CIFₖ(t) = Σ S(tᵢ₋) dₖᵢ / nᵢ（k为终止原因，S为全部原因的生存曲线）",
       "ratio", "neutral", ("result:competing_risks",)),
    _m("persistency_13_count", "persistency", "13-month persistency (policies)", "13个月件数继续率",
       "Policy-count version of the 13-month persistency ratio.", "13个月继续率的件数口径。",
       "# in force at month 13 ÷ # cohort",
       "第13个保单月末仍有效的件数 ÷ 考核保单件数", "ratio", "up", ("result:persistency_count_cohort",)),
    _m("persistency_25_count", "persistency", "25-month persistency (policies)", "25个月件数继续率",
       "Policy-count version of the 25-month persistency ratio.", "25个月继续率的件数口径。",
       "# in force at month 25 ÷ # cohort",
       "第25个保单月末仍有效的件数 ÷ 考核保单件数", "ratio", "up", ("result:persistency_count_cohort",)),
    # ---- experience study ---------------------------------------------------------------------
    _m("exposure", "experience", "Exposure", "暴露数",
       "Policy-years observed in each policy year; a partial year counts its observed days ÷ "
       "days in the year; a studied termination counts a full year (annual method).",
       "各保单年度的观察保单年数；不完整年度按观察天数 ÷ 年度天数计，研究事件终止当年计满一年（年度法）。",
       "Σ days observed / days in period",
       "Σ 观察天数 / 保单年度天数（研究事件终止当年计满一年）", "years", "neutral", ("result:exposure_table",)),
    _m("actual", "experience", "Actual terminations", "实际发生数",
       "Terminations of the studied status (default lapsed, surrendered).",
       "研究状态（默认失效、退保）的实际终止件数。", "count exit_status ∈ target",
       "exit_status 属于研究状态的终止件数", "count", "down",
       ("policies.exit_status", "policies.policy_year")),
    _m("termination_rate", "experience", "Termination rate", "实际发生率",
       "Actual terminations ÷ exposure.", "实际发生数 ÷ 暴露数。", "actual ÷ exposure",
       "实际发生数 ÷ 暴露数", "ratio",
       "down", ("metric:actual", "metric:exposure")),
    _m("expected", "experience", "Expected terminations", "预期发生数",
       "Exposure × expected rate from the expected table.", "暴露数 × 预期发生率。",
       "exposure × expected rate",
       "暴露数 × 预期发生率", "count", "neutral", ("metric:exposure", "result:expected_rates")),
    _m("actual_to_expected", "experience", "Actual to expected (A/E)", "实际/预期（A/E）",
       "Actual terminations ÷ expected terminations; above 1 means more exits than assumed.",
       "实际发生数 ÷ 预期发生数；大于1表示终止多于假设。", "actual ÷ expected", "实际发生数 ÷ 预期发生数",
       "ratio", "down",
       ("metric:actual", "metric:expected")),
    _m("credibility", "experience", "Credibility (limited fluctuation)", "可信度（有限波动法）",
       "Weight of the observed experience: min(1, √(actual ÷ (y·(1 − rate)))), y = (Φ⁻¹(0.975) "
       "÷ 0.05)².", "经验数据的可信度权重：min(1, √(实际发生数 ÷ (y·(1 − 实际发生率))))，y = (Φ⁻¹(0.975) ÷ 0.05)²。",
       "Z = min(1, √(A / (y(1 − q))))",
       "Z = min(1, √(A / (y(1 − q))))，A为实际发生数，q为实际发生率，y = (Φ⁻¹(0.975) ÷ 0.05)²",
       "factor", "up", ("metric:actual", "metric:termination_rate")),
    # ---- benefits ---------------------------------------------------------------------------
    _m("benefit_uses_per_100", "benefits", "Benefit uses per 100 members", "每百名会员权益使用次数",
       f"Uses {_W} by in-force members ÷ in-force members × 100.",
       f"{_WZ}有效会员的权益使用次数 ÷ 有效会员数 × 100。", "uses ÷ members × 100",
       "权益使用次数 ÷ 有效会员数 × 100", "per_100", "up",
       ("benefit_usage.in_window", "metric:in_force_members")),
    _m("benefit_cost_per_member", "benefits", "Benefit cost per member", "人均权益成本",
       f"Cost of the benefit uses {_W} by in-force members ÷ in-force members.",
       f"{_WZ}有效会员的权益成本 ÷ 有效会员数。", "Σ cost ÷ members", "Σ 权益成本（cost）÷ 有效会员数",
       "CNY", "neutral",
       ("benefit_usage.cost", "benefit_usage.in_window", "metric:in_force_members")),
    _m("time_to_first_benefit_use", "benefits", "Time to first benefit use (median)", "首次使用权益时长（中位数）",
       "Kaplan-Meier median of months from joining to the first benefit use; members who "
       "never used one are censored at the as-of date.",
       "自入会至首次使用权益月数的Kaplan-Meier中位数；从未使用者于统计截止日删失。",
       "min t: S(t) ≤ 0.5", "使 S(t) ≤ 0.5 的最小月数 t（S(t)为入会后t个月仍未使用权益的比例）", "months", "down",
       ("members.join_date", "benefit_usage.used_at", "benefit_usage.member_id", "param:as_of")),
    _m("benefit_retention_hr_landmark", "benefits", "Users vs non-users hazard ratio (landmark)",
       "权益使用者风险比（界标分析）",
       "Cox hazard ratio of lapse/surrender after the landmark, policies whose member used a "
       "benefit before it vs those who did not; free of immortal-time bias.",
       "界标时点后失效/退保的Cox风险比：界标前使用过权益者对比未使用者；不受不朽时间偏倚影响。",
       "exp(β_user), time from landmark",
       "exp(β_user)，β_user为权益使用者的Cox系数，时间自界标时点起算", "times", "down", ("result:benefit_landmark",)),
    _m("benefit_retention_hr_naive", "benefits", "Users vs non-users hazard ratio (naive)",
       "权益使用者风险比（简单分组）",
       "Cox hazard ratio of ever-users vs never-users from issue; flattered by immortal-time "
       "bias, shown only for comparison.",
       "自生效起曾使用者对比从未使用者的Cox风险比；受不朽时间偏倚影响而偏低，仅供对比。",
       "exp(β_ever_user), time from issue",
       "exp(β_ever_user)，β_ever_user为曾使用者的Cox系数，时间自生效日起算", "times", "neutral",
       ("policies.duration_months", "policies.event", "benefit_usage.used_at",
        "benefit_usage.member_id")),
    # ---- service ------------------------------------------------------------------------------
    _m("service_contacts", "service", "Service contacts", "服务量",
       "Contacts started in the period (all channels, anonymous included).",
       "期间内发起的服务量（全部渠道，含匿名）。", "count contacts", "服务记录条数", "count", "neutral",
       ("service_contacts.started_at", "service_contacts.channel", "service_contacts.topic")),
    _m("resolution_rate", "service", "Resolution rate", "问题解决率",
       "Contacts resolved ÷ contacts whose outcome is recorded.", "已解决服务量 ÷ 有解决结果记录的服务量。",
       "resolved ÷ resolved recorded",
       "已解决服务量 ÷ 有解决结果记录（resolved 非空）的服务量", "ratio", "up", ("service_contacts.started_at",
                                                                  "service_contacts.resolved")),
    _m("wait_mean_seconds", "service", "Mean wait (human queue)", "人工平均等待时长",
       "Mean wait in seconds of human-queue contacts.", "人工队列服务的平均等待秒数。",
       "mean wait_seconds | human queue", "人工队列服务 wait_seconds 的平均值", "seconds", "down",
       ("service_contacts.wait_seconds", "service_contacts.human_queue")),
    _m("wait_p90_seconds", "service", "90th percentile wait (human queue)", "人工等待时长P90",
       "Wait in seconds that 90% of human-queue contacts do not exceed.", "90%的人工队列服务不超过的等待秒数。",
       "P90 wait_seconds | human queue", "人工队列服务 wait_seconds 的第90百分位数", "seconds", "down",
       ("service_contacts.wait_seconds", "service_contacts.human_queue")),
    _m("service_lapse_hr", "service", "Lapse hazard ratio after poor service",
       "服务体验不佳后失效/退保风险比",
       "Cox hazard ratio of lapse/surrender in the quarter after a landmark for policies whose "
       "member had an unresolved or low-rated (≤ 2) contact in the prior 90 days vs others.",
       "界标后一季度失效/退保的Cox风险比：前90天内有未解决或低评分（≤2）服务的会员保单对比其他保单。",
       "exp(β_exposed), stratified by landmark",
       "exp(β_exposed)，β_exposed为服务体验不佳组的Cox系数，按界标时点分层",
       "times", "down", ("result:service_landmarks",)),
    # ---- claims -------------------------------------------------------------------------------
    *[_m(f"claims_settled_within_{d}_days", "claims", f"Claims settled within {d} days",
         f"{d}日内结案率",
         f"Kaplan-Meier share of claims settled within {d} days of the report (open claims "
         "censored, so recent open claims do not count against it).",
         f"报案后{d}日内结案的Kaplan-Meier比例（未结案件作删失处理）。", f"1 − S_open({d})",
         f"1 − S_open({d})，S_open(d)为报案后第d天仍未结案的Kaplan-Meier比例", "ratio",
         "up", ("result:claim_km",)) for d in (5, 10, 30)],
    _m("claim_paid_ratio_amount", "claims", "Paid ratio (amount)", "赔付金额比例",
       "Amount paid ÷ amount claimed over settled claims.", "已结案件的赔付金额 ÷ 申请金额。",
       "Σ amount_paid ÷ Σ amount_claimed | settled",
       "已结案件的 Σ amount_paid ÷ Σ amount_claimed", "ratio", "neutral",
       ("claims.amount_paid", "claims.amount_claimed", "claims.settled_at")),
    _m("claim_paid_ratio_count", "claims", "Paid ratio (claims)", "赔付件数比例",
       "Settled claims paid ÷ settled claims (paid or declined).", "已结案件中赔付件数 ÷ 已结案件数（赔付或拒赔）。",
       "# status = paid ÷ # settled",
       "status = paid 的件数 ÷ 已结案件数", "ratio", "neutral", ("claims.status", "claims.settled_at")),
])

# ---- early warning (预警): the monitored proportions of memberdesk.analysis.alerts ------------
# Each is x ÷ n over monthly cohorts (the month named in the definition), monitored by segment
# with funnel limits and a CUSUM; the existing persistency_13_count, persistency_25_count,
# human_connection_rate and csat are monitored as registered.
_COHORT = "; counted per issue-month cohort, once the cohort's outcome is complete at the date"
_COHORT_ZH = "；按生效月队列统计，仅统计截止日已完整观察的队列"
METRICS.update(dict([
    _m("free_look_cancellation_rate", "alerts", "Free-look cancellation rate", "犹豫期撤单率",
       "Policies ended by a voluntary exit (lapsed, surrendered) within the free-look period "
       f"(15 days by default) of issue ÷ policies issued{_COHORT}.",
       f"生效后犹豫期（默认15天）内主动终止（失效、退保）的保单件数 ÷ 生效保单件数{_COHORT_ZH}。",
       "# exit_status ∈ {lapsed, surrendered} ∧ end − issue ≤ free-look days ÷ # issued",
       "犹豫期内 exit_status 为失效或退保的件数 ÷ 生效件数", "ratio", "down",
       ("policies.issue_date", "policies.exit_date", "policies.exit_status",
        "param:free_look_days", "param:as_of")),
    *[_m(f"early_lapse_rate_{k}m", "alerts", f"Early lapse & surrender rate ({k} months)",
         f"{k}个月内早期失效退保率",
         f"Policies ended by a voluntary exit (lapsed, surrendered) after the free-look period "
         f"and within {k} months of issue ÷ policies issued (free-look cancellations are their "
         f"own metric){_COHORT}.",
         f"犹豫期后、生效后{k}个月内失效或退保的保单件数 ÷ 生效保单件数（犹豫期撤单另行统计）{_COHORT_ZH}。",
         f"# exit_status ∈ {{lapsed, surrendered}} ∧ free-look days < end − issue ∧ end < issue + "
         f"{k} months ÷ # issued",
         f"犹豫期后、生效后{k}个月内 exit_status 为失效或退保的件数 ÷ 生效件数", "ratio", "down",
         ("policies.issue_date", "policies.exit_date", "policies.exit_status",
          "param:free_look_days", "param:as_of"))
      for k in (3, 6)],
    _m("first_year_surrender_rate", "alerts", "First-policy-year surrender rate", "首年退保率",
       "Policies surrendered after the free-look period and before their first policy "
       f"anniversary ÷ policies issued{_COHORT}.",
       f"犹豫期后、首个保单周年日前退保的保单件数 ÷ 生效保单件数{_COHORT_ZH}。",
       "# exit_status = surrendered ∧ free-look days < end − issue ∧ end < issue + 12 months "
       "÷ # issued",
       "犹豫期后、首个保单年度内 exit_status 为退保的件数 ÷ 生效件数", "ratio", "down",
       ("policies.issue_date", "policies.exit_date", "policies.exit_status",
        "param:free_look_days", "param:as_of")),
    _m("benefit_usage_rate_monthly", "alerts", "Monthly benefit usage rate", "月度权益使用率",
       "Members in force at a month end who used at least one benefit in that month ÷ members "
       "in force at the month end.",
       "月末有效会员中当月至少使用一次权益的人数 ÷ 月末有效会员数。",
       "members in force with ≥ 1 use in the month ÷ members in force at the month end",
       "当月至少使用一次权益的月末有效会员数 ÷ 月末有效会员数", "ratio", "up",
       ("policies.in_force", "policies.member_id", "benefit_usage.member_id",
        "benefit_usage.used_at", "param:as_of")),
    _m("bot_transfer_rate", "alerts", "Bot-to-human transfer rate", "智能客服转人工率",
       "Bot contacts transferred to a human ÷ bot contacts, per month the contacts started.",
       "智能客服服务中转人工的服务量 ÷ 智能客服服务量（按服务发起月统计）。",
       "bot ∧ transferred_to_human ÷ bot contacts",
       "转人工的智能客服服务量（bot ∧ transferred_to_human）÷ 智能客服服务量", "ratio", "down",
       ("service_contacts.started_at", "service_contacts.handled_by",
        "service_contacts.transferred_to_human")),
    _m("unresolved_contact_rate", "alerts", "Unresolved-contact rate", "服务未解决率",
       "Contacts not resolved ÷ contacts whose outcome is recorded, per month the contacts "
       "started.", "未解决的服务量 ÷ 有解决结果记录的服务量（按服务发起月统计）。",
       "¬resolved ÷ resolved recorded",
       "未解决服务量（¬resolved）÷ 有解决结果记录（resolved 非空）的服务量", "ratio", "down",
       ("service_contacts.started_at", "service_contacts.resolved")),
    _m("claims_settled_after_30_days", "alerts", "Claims settled after 30 days", "30日后结案占比",
       "Claims settled more than 30 days after the report, or still open more than 30 days "
       "after it at the date ÷ claims reported, per report month (months whose every claim is "
       "30 days old).", "报案后超过30日结案或截止日仍未结案且已超过30日的案件数 ÷ 报案件数（按报案月统计，"
       "仅统计所有案件均已满30日的月份）。",
       "# (settled − reported > 30 d) ∨ (open ∧ t − reported > 30 d) ÷ # reported",
       "超过30日结案或未结案已超过30日的件数 ÷ 报案件数", "ratio", "down",
       ("claims.reported_at", "claims.settled_at", "param:as_of")),
]))
