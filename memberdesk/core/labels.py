"""The one label catalogue: display names of tables, columns and measures (with their units) in
English and Simplified Chinese, for the UI, the Excel report and the command line alike.

A column's label carries its unit ("Rate (%)", 发生率（%）) so a figure reads the same on screen
and in the workbook. Look labels up with :func:`column_label` / :func:`table_label`; an unknown
column keeps its own name (source columns the user mapped through). ``tests/test_catalogues.py``
fails when an entry lacks either language. Reason codes (why a figure is missing) have their
own catalogue, :mod:`memberdesk.core.reasons`.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    import pandas as pd

LANGS: tuple[str, ...] = ("en", "zh_CN")
T = TypeVar("T")

# ---- table names (for "no X table loaded") -----------------------------------------------------
TABLE_NAMES: dict[str, dict[str, str]] = {
    "members": {"en": "members", "zh_CN": "会员"},
    "policies": {"en": "policies", "zh_CN": "保单"},
    "benefit_usage": {"en": "benefit usage", "zh_CN": "权益使用"},
    "service_contacts": {"en": "service contacts", "zh_CN": "服务记录"},
    "claims": {"en": "claims", "zh_CN": "理赔"},
    "premium_payments": {"en": "premium payments", "zh_CN": "缴费记录"},
}

# ---- column headers: analysis column name -> label with unit -----------------------------------
COLUMNS: dict[str, dict[str, str]] = {
    # generic
    "segment": {"en": "Segment", "zh_CN": "分组"},
    "group": {"en": "Group", "zh_CN": "分组"},
    "name": {"en": "Name", "zh_CN": "名称"},
    "n": {"en": "Policies (number)", "zh_CN": "保单数（件）"},
    "events": {"en": "Exits (number)", "zh_CN": "退出数（件）"},
    "censored": {"en": "Censored (number)", "zh_CN": "删失数（件）"},
    "count": {"en": "Count (number)", "zh_CN": "数量"},
    "value": {"en": "Value", "zh_CN": "数值"},
    "unit": {"en": "Unit", "zh_CN": "单位"},
    "kpi": {"en": "Key figure", "zh_CN": "指标"},
    "id": {"en": "Metric id", "zh_CN": "指标编号"},
    "previous": {"en": "Previous period", "zh_CN": "上期"},
    "change": {"en": "Change", "zh_CN": "变化"},
    "period": {"en": "Period", "zh_CN": "期间"},
    "note": {"en": "Note", "zh_CN": "说明"},
    "payment_frequency": {"en": "Payment frequency", "zh_CN": "缴费频率"},
    "issue_date": {"en": "Issue date", "zh_CN": "生效日期"},
    "month": {"en": "Month", "zh_CN": "月份"},
    # KM
    "time_months": {"en": "Months since issue", "zh_CN": "生效后月数"},
    "months": {"en": "Months", "zh_CN": "月数"},
    "timeline": {"en": "Time (months)", "zh_CN": "时间（月）"},
    "survival": {"en": "Survival (%)", "zh_CN": "生存率（%）"},
    "ci_lower": {"en": "95% CI lower", "zh_CN": "95%置信下限"},
    "ci_upper": {"en": "95% CI upper", "zh_CN": "95%置信上限"},
    "at_risk": {"en": "At risk (number)", "zh_CN": "风险集保单数（件）"},
    "median": {"en": "Median (months)", "zh_CN": "中位数（月）"},
    "median_ci_lower": {"en": "Median 95% CI lower (months)", "zh_CN": "中位数95%置信下限（月）"},
    "median_ci_upper": {"en": "Median 95% CI upper (months)", "zh_CN": "中位数95%置信上限（月）"},
    "test_statistic": {"en": "Test statistic (χ²)", "zh_CN": "检验统计量（χ²）"},
    "degrees_of_freedom": {"en": "Degrees of freedom", "zh_CN": "自由度"},
    "p_value": {"en": "p-value", "zh_CN": "p值"},
    # persistency
    "persistency_month": {"en": "Policy month", "zh_CN": "保单月度"},
    "ratio_premium": {"en": "Persistency, premium (%)", "zh_CN": "继续率（保费口径，%）"},
    "ratio_count": {"en": "Persistency, policy count (%)", "zh_CN": "继续率（件数口径，%）"},
    "cohort_premium": {"en": "Cohort premium (currency)", "zh_CN": "考核保费（元）"},
    "cohort_count": {"en": "Cohort policies (number)", "zh_CN": "考核件数（件）"},
    "persisting_count": {"en": "Policies in force (number)", "zh_CN": "继续有效件数（件）"},
    "excluded_single_premium": {"en": "Excluded: single premium", "zh_CN": "剔除：趸交"},
    "excluded_free_look": {"en": "Excluded: free look", "zh_CN": "剔除：犹豫期撤单"},
    "excluded_death": {"en": "Excluded: death", "zh_CN": "剔除：身故"},
    "excluded_claim": {"en": "Excluded: claim", "zh_CN": "剔除：理赔"},
    "persisting_premium": {"en": "Premium in force (currency)", "zh_CN": "继续有效保费（元）"},
    "cohort_policies": {"en": "Cohort policies (number)", "zh_CN": "考核件数（件）"},
    "persisting_policies": {"en": "Policies in force (number)", "zh_CN": "继续有效件数（件）"},
    "channel": {"en": "Channel", "zh_CN": "渠道"},
    "product": {"en": "Product", "zh_CN": "产品"},
    "product_type": {"en": "Product type", "zh_CN": "产品类型"},
    "region": {"en": "Region", "zh_CN": "地区"},
    "tier": {"en": "Tier", "zh_CN": "会员等级"},
    "gender": {"en": "Gender", "zh_CN": "性别"},
    "age_band": {"en": "Age band", "zh_CN": "年龄段"},
    "premium_band": {"en": "Premium band", "zh_CN": "保费段"},
    "issue_year": {"en": "Issue year", "zh_CN": "生效年份"},
    # cohorts
    "cohort": {"en": "Issue month", "zh_CN": "生效月份"},
    "issue_month": {"en": "Issue month", "zh_CN": "生效月份"},
    "size": {"en": "Policies issued (number)", "zh_CN": "生效保单数（件）"},
    # cox
    "covariate": {"en": "Covariate", "zh_CN": "协变量"},
    "coef": {"en": "Coefficient (log HR)", "zh_CN": "系数（对数风险比）"},
    "se": {"en": "Standard error", "zh_CN": "标准误"},
    "hazard_ratio": {"en": "Hazard ratio", "zh_CN": "风险比"},
    "ph_p_value": {"en": "PH test p-value", "zh_CN": "比例风险检验p值"},
    "ph_verdict": {"en": "Proportional hazards", "zh_CN": "比例风险假定"},
    # parametric
    "model": {"en": "Model", "zh_CN": "模型"},
    "aic": {"en": "AIC", "zh_CN": "AIC"},
    "bic": {"en": "BIC", "zh_CN": "BIC"},
    "log_likelihood": {"en": "Log-likelihood", "zh_CN": "对数似然"},
    "parameters": {"en": "Parameters", "zh_CN": "参数"},
    "n_params": {"en": "Parameters (number)", "zh_CN": "参数个数"},
    "best": {"en": "Best", "zh_CN": "最优"},
    # competing
    "cause": {"en": "Cause", "zh_CN": "原因"},
    "incidence": {"en": "Cumulative incidence (%)", "zh_CN": "累积发生率（%）"},
    "cif": {"en": "Cumulative incidence (%)", "zh_CN": "累积发生率（%）"},
    "lapsed": {"en": "Lapse (%)", "zh_CN": "失效（%）"},
    "surrendered": {"en": "Surrender (%)", "zh_CN": "退保（%）"},
    "death": {"en": "Death (%)", "zh_CN": "身故（%）"},
    "matured": {"en": "Maturity (%)", "zh_CN": "满期（%）"},
    "other": {"en": "Other (%)", "zh_CN": "其他（%）"},
    # experience
    "policy_year": {"en": "Policy year", "zh_CN": "保单年度"},
    "calendar_year": {"en": "Calendar year", "zh_CN": "日历年度"},
    "exposure": {"en": "Exposure (policy-years)", "zh_CN": "暴露数（保单年）"},
    # a column showing a registered metric is labelled by the metric dictionary's Chinese name
    # (memberdesk/analysis/metric_definitions.py): 实际发生数, 实际发生率 (it read 实际数, 发生率
    # here and 终止率 on a chart title), 客户满意度, 问题解决率, 人工平均等待时长
    "actual": {"en": "Actual (number)", "zh_CN": "实际发生数（件）"},
    # "expected" is a RATE wherever a result carries it (experience study, alerts, CUSUM):
    # expected counts have their own keys (expected_claims, expected_lapses)
    "expected": {"en": "Expected rate (%)", "zh_CN": "预期发生率（%）"},
    "expected_rate": {"en": "Expected rate (%)", "zh_CN": "预期发生率（%）"},
    "rate": {"en": "Rate (%)", "zh_CN": "实际发生率（%）"},
    "ae": {"en": "A/E (%)", "zh_CN": "实际/预期（%）"},
    "credibility": {"en": "Credibility Z", "zh_CN": "可信度Z"},
    # benefits / service / claims
    "benefit": {"en": "Benefit", "zh_CN": "权益"},
    "uses": {"en": "Uses (number)", "zh_CN": "使用次数"},
    "users": {"en": "Members using (number)", "zh_CN": "使用会员数（人）"},
    "members": {"en": "Members (number)", "zh_CN": "会员数（人）"},
    "cost": {"en": "Cost (currency)", "zh_CN": "成本（元）"},
    "contacts": {"en": "Contacts (number)", "zh_CN": "服务量"},
    "bot_contacts": {"en": "Bot contacts (number)", "zh_CN": "智能客服服务量"},
    "human_contacts": {"en": "Human-queue contacts (number)", "zh_CN": "人工排队量"},
    "bot_replacement_rate": {"en": "Bot replacement rate (%)", "zh_CN": "智能客服替代率（%）"},
    "human_connection_rate": {"en": "Human connection rate (%)", "zh_CN": "人工接通率（%）"},
    "csat": {"en": "CSAT (%)", "zh_CN": "客户满意度（%）"},
    "resolution_rate": {"en": "Resolution rate (%)", "zh_CN": "问题解决率（%）"},
    "mean_wait_seconds": {"en": "Mean wait (seconds)", "zh_CN": "人工平均等待时长（秒）"},
    "claims": {"en": "Claims (number)", "zh_CN": "理赔件数"},
    "paid": {"en": "Paid (number)", "zh_CN": "已赔付（件）"},
    "declined": {"en": "Declined (number)", "zh_CN": "拒赔（件）"},
    "open": {"en": "Open (number)", "zh_CN": "未结案（件）"},
    "amount_claimed": {"en": "Amount claimed (currency)", "zh_CN": "申请金额（元）"},
    "amount_paid": {"en": "Amount paid (currency)", "zh_CN": "赔付金额（元）"},
    "payout_ratio": {"en": "Paid / claimed (%)", "zh_CN": "赔付比例（%）"},
    "decline_rate": {"en": "Decline rate (%)", "zh_CN": "拒赔率（%）"},
    "mean_settlement_days": {"en": "Mean settlement time (days)", "zh_CN": "平均结案时效（天）"},
    "rate_lower": {"en": "Rate 95% CI lower (%)", "zh_CN": "实际发生率95%置信下限（%）"},
    "rate_upper": {"en": "Rate 95% CI upper (%)", "zh_CN": "实际发生率95%置信上限（%）"},
    "expected_claims": {"en": "Expected (number)", "zh_CN": "预期数（件）"},
    "in_force_members": {"en": "In-force members (number)", "zh_CN": "有效会员数（人）"},
    "usage_rate": {"en": "Benefit usage rate (%)", "zh_CN": "权益使用率（%）"},
    "uses_per_100_members": {"en": "Uses per 100 members", "zh_CN": "每百名会员使用次数"},
    "cost_per_member": {"en": "Cost per member (currency)", "zh_CN": "人均成本（元）"},
    "cost_per_use": {"en": "Cost per use (currency)", "zh_CN": "单次成本（元）"},
    "bot_not_transferred": {"en": "Bot, not transferred (number)", "zh_CN": "智能客服未转人工量"},
    "human_queue": {"en": "Human-queue contacts (number)", "zh_CN": "人工排队量"},
    "connected": {"en": "Connected (number)", "zh_CN": "人工接通量"},
    "resolved_known": {"en": "Resolution recorded (number)", "zh_CN": "有解决记录量"},
    "resolved": {"en": "Resolved (number)", "zh_CN": "已解决量"},
    "rated": {"en": "Rated contacts (number)", "zh_CN": "有评价量"},
    "satisfied": {"en": "Satisfied, 4-5 (number)", "zh_CN": "满意（4-5分）量"},
    "wait_mean_seconds": {"en": "Mean wait (seconds)", "zh_CN": "人工平均等待时长（秒）"},
    "wait_p90_seconds": {"en": "90th percentile wait (seconds)", "zh_CN": "人工等待时长P90（秒）"},
    "window_start": {"en": "Window from (exclusive)", "zh_CN": "统计期起（不含）"},
    "window_end": {"en": "Window to", "zh_CN": "统计期止"},
    "topic": {"en": "Topic", "zh_CN": "咨询类型"},
    "settled": {"en": "Settled (number)", "zh_CN": "已结案（件）"},
    "median_days": {"en": "Median settlement time (days)", "zh_CN": "中位结案时效（天）"},
    "within_5_days": {"en": "Settled within 5 days (%)", "zh_CN": "5天内结案率（%）"},
    "within_10_days": {"en": "Settled within 10 days (%)", "zh_CN": "10天内结案率（%）"},
    "within_30_days": {"en": "Settled within 30 days (%)", "zh_CN": "30天内结案率（%）"},
    "paid_ratio_amount": {"en": "Paid / claimed, amount (%)", "zh_CN": "赔付比例（金额，%）"},
    "paid_ratio_count": {"en": "Paid share, count (%)", "zh_CN": "赔付件数占比（%）"},
    "origin": {"en": "Time origin", "zh_CN": "时间起点"},
    "users_": {"en": "Users (number)", "zh_CN": "使用者（人）"},
    "naive": {"en": "Naive: ever-users vs never-users", "zh_CN": "朴素对比：使用过与未使用"},
    "landmark": {"en": "Landmark at 12 months", "zh_CN": "12个月界标分析"},
    "non_users": {"en": "Non-users (number)", "zh_CN": "未使用者（人）"},
    "events_users": {"en": "Exits, users (number)", "zh_CN": "使用者退出数"},
    "events_non_users": {"en": "Exits, non-users (number)", "zh_CN": "未使用者退出数"},
    "survival_users": {"en": "Survival, users (%)", "zh_CN": "使用者生存率（%）"},
    "survival_non_users": {"en": "Survival, non-users (%)", "zh_CN": "未使用者生存率（%）"},
    "survival_difference": {"en": "Difference, users − non-users (%)", "zh_CN": "差异（使用者−未使用者，%）"},
    "hr_ci_lower": {"en": "HR 95% CI lower", "zh_CN": "风险比95%置信下限"},
    "hr_ci_upper": {"en": "HR 95% CI upper", "zh_CN": "风险比95%置信上限"},
    "time": {"en": "Time (months)", "zh_CN": "时间（月）"},
    # data quality
    "table": {"en": "Table", "zh_CN": "数据表"},
    "files": {"en": "Files", "zh_CN": "文件"},
    "file": {"en": "File", "zh_CN": "文件"},
    "sheet": {"en": "Sheet", "zh_CN": "工作表"},
    "row": {"en": "Row", "zh_CN": "行号"},
    "column": {"en": "Column", "zh_CN": "列"},
    "read": {"en": "Read (rows)", "zh_CN": "读取（行）"},
    "accepted": {"en": "Accepted (rows)", "zh_CN": "接受（行）"},
    "rejected": {"en": "Rejected (rows)", "zh_CN": "拒绝（行）"},
    "out_of_window": {"en": "After as-of date (rows)", "zh_CN": "截至日期之后（行）"},
    "reason": {"en": "Reason", "zh_CN": "原因"},
    "description": {"en": "Description", "zh_CN": "说明"},
    "detail": {"en": "Detail", "zh_CN": "详情"},
    "message": {"en": "Message", "zh_CN": "信息"},
    # dictionary
    "name_en": {"en": "Name (English)", "zh_CN": "名称（英文）"},
    "name_zh": {"en": "Name (Chinese)", "zh_CN": "名称（中文）"},
    "definition": {"en": "Definition", "zh_CN": "定义"},
    "formula": {"en": "Formula", "zh_CN": "公式"},
    "good_direction": {"en": "Good direction", "zh_CN": "向好方向"},
    "direction": {"en": "Good direction", "zh_CN": "向好方向"},
    "category": {"en": "Category", "zh_CN": "类别"},
    "lineage": {"en": "Lineage (computed from)", "zh_CN": "指标血缘（计算路径）"},
    "sources": {"en": "Source columns", "zh_CN": "来源字段"},
    "inputs": {"en": "Computed from", "zh_CN": "计算依据"},
    "page": {"en": "Shown on", "zh_CN": "展示页面"},
    # data columns and the remaining result columns (formerly the UI's own translations)
    "member_id": {"en": "Member ID", "zh_CN": "会员号"},
    "policy_id": {"en": "Policy ID", "zh_CN": "保单号"},
    "claim_id": {"en": "Claim ID", "zh_CN": "理赔案件号"},
    "contact_id": {"en": "Contact ID", "zh_CN": "接触编号"},
    "birth_date": {"en": "Birth date", "zh_CN": "出生日期"},
    "age": {"en": "Age", "zh_CN": "年龄"},
    "join_date": {"en": "Join date", "zh_CN": "入会日期"},
    "end_date": {"en": "End date", "zh_CN": "终止日期"},
    "exit_date": {"en": "Exit date", "zh_CN": "退出日期"},
    "status": {"en": "Status", "zh_CN": "状态"},
    "annual_premium": {"en": "Annual premium (currency)", "zh_CN": "年化保费（元）"},
    "sum_assured": {"en": "Sum assured (currency)", "zh_CN": "保额（元）"},
    "duration": {"en": "Duration", "zh_CN": "持续时间"},
    "event": {"en": "Event", "zh_CN": "事件"},
    "used_at": {"en": "Used at", "zh_CN": "使用时间"},
    "started_at": {"en": "Started at", "zh_CN": "开始时间"},
    "handled_by": {"en": "Handled by", "zh_CN": "处理方"},
    "transferred_to_human": {"en": "Transferred to human", "zh_CN": "转人工"},
    "wait_seconds": {"en": "Wait (seconds)", "zh_CN": "等待时长（秒）"},
    "satisfaction": {"en": "Satisfaction", "zh_CN": "满意度"},
    "reported_at": {"en": "Reported at", "zh_CN": "报案日期"},
    "settled_at": {"en": "Settled at", "zh_CN": "结案日期"},
    "exit_status": {"en": "Status at as-of", "zh_CN": "退出状态"},
    "age_at_issue": {"en": "Age at issue", "zh_CN": "投保年龄"},
    "rmst": {"en": "RMST", "zh_CN": "限制平均生存时间"},
    "difference": {"en": "Difference", "zh_CN": "差值"},
    "difference_se": {"en": "Difference std. error", "zh_CN": "差值标准误"},
    "difference_ci_lower": {"en": "Difference 95% CI lower", "zh_CN": "差值95%置信下限"},
    "difference_ci_upper": {"en": "Difference 95% CI upper", "zh_CN": "差值95%置信上限"},
    "p_value_holm": {"en": "p-value (Holm)", "zh_CN": "p 值（Holm 校正）"},
    "group_a": {"en": "Group A", "zh_CN": "组 A"},
    "group_b": {"en": "Group B", "zh_CN": "组 B"},
    "years": {"en": "Years", "zh_CN": "年数"},
    "verdict": {"en": "Verdict", "zh_CN": "结论"},
    "label": {"en": "Label", "zh_CN": "标签"},
    "all_causes": {"en": "All causes (%)", "zh_CN": "全部原因（%）"},  # the CIFs' sum
    "in_force": {"en": "In force", "zh_CN": "有效"},
    "period_end": {"en": "Period end", "zh_CN": "期末"},
    "analysis": {"en": "Analysis", "zh_CN": "分析方法"},
    "index": {"en": "Index", "zh_CN": "序号"},
    "rows": {"en": "Rows", "zh_CN": "行数"},
    "meaning": {"en": "Meaning", "zh_CN": "含义"},
    "measure": {"en": "Measure", "zh_CN": "指标"},
    "excluded_waived": {"en": "Excluded: premium waived", "zh_CN": "剔除：豁免保费"},
    "excluded_no_first_instalment": {"en": "Excluded: no first instalment",
                                     "zh_CN": "剔除：首期保费未缴"},
    "statistic": {"en": "Statistic", "zh_CN": "统计量"},
    "test": {"en": "Test", "zh_CN": "检验方法"},
    "ae_lower": {"en": "A/E 95% CI lower (%)", "zh_CN": "A/E 95%置信下限（%）"},
    "ae_upper": {"en": "A/E 95% CI upper (%)", "zh_CN": "A/E 95%置信上限（%）"},
    "n_actual": {"en": "Actual (number)", "zh_CN": "实际发生数（件）"},
    "trx_type": {"en": "Benefit", "zh_CN": "权益"},
    "avg_per_exposure": {"en": "Amount per exposure (currency)", "zh_CN": "单位暴露金额（元）"},
    "avg_per_user": {"en": "Amount per user (currency)", "zh_CN": "人均金额（元）"},
    "uses_per_user": {"en": "Uses per user", "zh_CN": "人均使用次数"},
    "utilisation": {"en": "Utilisation (%)", "zh_CN": "使用率（%）"},
    "utilisation_lower": {"en": "Utilisation 95% CI lower (%)", "zh_CN": "使用率95%置信下限（%）"},
    "utilisation_upper": {"en": "Utilisation 95% CI upper (%)", "zh_CN": "使用率95%置信上限（%）"},
    # premium payments
    "due_date": {"en": "Due date", "zh_CN": "应缴日期"},
    "paid_date": {"en": "Paid date", "zh_CN": "实缴日期"},
    "amount": {"en": "Amount (currency)", "zh_CN": "缴费金额（元）"},
    # lapse-risk scores (issue 15)
    "probability": {"en": "Lapse probability (%)", "zh_CN": "失效概率（%）"},
    "premium_at_risk": {"en": "Premium at risk (currency)", "zh_CN": "风险保费（元）"},
    "decile": {"en": "Risk decile (1 = highest)", "zh_CN": "风险十分位（1 = 最高）"},
    "rank": {"en": "Rank", "zh_CN": "排名"},
    "reason_1": {"en": "Reason 1", "zh_CN": "原因一"},
    "reason_2": {"en": "Reason 2", "zh_CN": "原因二"},
    "reason_3": {"en": "Reason 3", "zh_CN": "原因三"},
    "policies": {"en": "Policies (number)", "zh_CN": "保单数（件）"},
    "mean_probability": {"en": "Mean lapse probability (%)", "zh_CN": "平均失效概率（%）"},
    "expected_lapses": {"en": "Expected lapses (number)", "zh_CN": "预期失效数（件）"},
    "premium": {"en": "Annual premium (currency)", "zh_CN": "年化保费（元）"},
    "duration_months": {"en": "Duration (months)", "zh_CN": "保单持续时间（月）"},
    "predicted": {"en": "Predicted (%)", "zh_CN": "预测（%）"},
    "observed": {"en": "Observed (%)", "zh_CN": "实际（%）"},
    "c_index": {"en": "Harrell's C", "zh_CN": "Harrell C 指数"},
    "c_index_uno": {"en": "Uno's C", "zh_CN": "Uno C 指数"},
    "auc": {"en": "AUC at horizon", "zh_CN": "期末时间依赖AUC"},
    "brier": {"en": "Brier score", "zh_CN": "Brier 分数"},
    "ibs": {"en": "Integrated Brier score", "zh_CN": "积分 Brier 分数"},
    "ici": {"en": "ICI (calibration)", "zh_CN": "ICI（校准）"},
    "e50": {"en": "E50 (calibration)", "zh_CN": "E50（校准）"},
    "top_decile_capture": {"en": "Top-decile capture (%)", "zh_CN": "前10%捕获率（%）"},
    "top_decile_lift": {"en": "Top-decile lift", "zh_CN": "前10%提升度"},
    # point-in-time scoring features (memberdesk.analysis.scoring.snapshot): reason codes
    "log_premium": {"en": "Premium (log)", "zh_CN": "保费（对数）"},
    "log_sum_assured": {"en": "Sum assured (log)", "zh_CN": "保额（对数）"},
    "anniversary_in_horizon": {"en": "Anniversary within the horizon", "zh_CN": "预测期内逢保单周年"},
    "tenure_months": {"en": "Membership tenure (months)", "zh_CN": "入会时长（月）"},
    "inforce_policies": {"en": "Policies in force (member)", "zh_CN": "会员有效保单数"},
    "past_lapses": {"en": "Past lapses (member)", "zh_CN": "会员历史失效数"},
    "uses_3m": {"en": "Benefit uses, last 3 months", "zh_CN": "近3个月权益使用次数"},
    "uses_12m": {"en": "Benefit uses, last 12 months", "zh_CN": "近12个月权益使用次数"},
    "months_since_use": {"en": "Months since last benefit use", "zh_CN": "距上次使用权益月数"},
    "contacts_90d": {"en": "Service contacts, last 90 days", "zh_CN": "近90天服务联系次数"},
    "unresolved_90d": {"en": "Unresolved contacts, last 90 days", "zh_CN": "近90天未解决的服务联系"},
    "low_ratings_90d": {"en": "Low ratings (1-2), last 90 days", "zh_CN": "近90天低评分（1-2分）"},
    "transfers_90d": {"en": "Transfers to a human, last 90 days", "zh_CN": "近90天转人工次数"},
    "open_claims": {"en": "Open claims", "zh_CN": "未结理赔"},
    "declined_claims": {"en": "Declined claims", "zh_CN": "拒赔理赔"},
    "duration_band": {"en": "Policy year band", "zh_CN": "保单年度段"},
}


def _pick(entry: dict[str, str], lang: str) -> str:
    return entry.get(lang) or entry["en"]


def column_label(column: str, lang: str = "en") -> str:
    """Label (with unit) of a result or data column in ``lang``; unknown columns unchanged."""
    entry = COLUMNS.get(str(column))
    return str(column) if entry is None else _pick(entry, lang)


def has_column_label(column: str) -> bool:
    return str(column) in COLUMNS


# ---- the confidence level in labels (issue 17 C.17) ------------------------------------------
# Labels and their translations name the default level, "95%" ("95% CI lower", 95%置信下限); a
# presenter shows the level actually used through with_ci_level.
DEFAULT_CI_TEXT = "95%"


def ci_level_text(level: float) -> str:
    """A two-sided confidence level as a percentage: 0.9 -> "90%", 0.975 -> "97.5%"."""
    return f"{round(float(level) * 100, 4):g}%"


def with_ci_level(text: str, level: float | None) -> str:
    """``text`` (a label naming the default "95%" level) naming ``level`` instead (None: as it
    is): ``with_ci_level("95% CI lower", 0.9)`` -> "90% CI lower"; 95%置信下限 -> 90%置信下限."""
    if level is None:
        return text
    return text.replace(DEFAULT_CI_TEXT, ci_level_text(level))


def table_label(table: str, lang: str = "en") -> str:
    """Display name of a canonical table in ``lang`` (``benefit_usage`` -> "benefit usage")."""
    entry = TABLE_NAMES.get(str(table))
    return str(table).replace("_", " ") if entry is None else _pick(entry, lang)


# ---- coded values: the schema's vocabularies and the sample book's category words --------------
# Policy and claim statuses and bot/human are the schema's canonical vocabularies
# (memberdesk.core.schema); channels, benefits, tiers, topics, payment frequencies, product types
# and genders are the words the sample generator writes (memberdesk.sample.catalog). A value the
# user's own data spell otherwise (Chinese already, product names) is shown unchanged.
VALUES: dict[str, dict[str, str]] = {
    # policy status (schema.POLICY_STATUSES)
    "in_force": {"en": "in force", "zh_CN": "有效"},
    "lapsed": {"en": "lapsed", "zh_CN": "失效"},
    "surrendered": {"en": "surrendered", "zh_CN": "退保"},
    "death": {"en": "death", "zh_CN": "身故"},
    "matured": {"en": "matured", "zh_CN": "满期"},
    "other": {"en": "other", "zh_CN": "其他"},
    "waived": {"en": "premium waived", "zh_CN": "豁免保费"},
    # claim status (schema.CLAIM_STATUSES)
    "paid": {"en": "paid", "zh_CN": "已赔付"},
    "declined": {"en": "declined", "zh_CN": "拒赔"},
    "open": {"en": "open", "zh_CN": "未结案"},
    # handled_by
    "bot": {"en": "bot", "zh_CN": "智能客服"},
    "human": {"en": "human", "zh_CN": "人工客服"},
    # sales channel
    "online": {"en": "online", "zh_CN": "互联网"},
    "partner platform": {"en": "partner platform", "zh_CN": "第三方平台"},
    "bancassurance": {"en": "bancassurance", "zh_CN": "银保"},
    "agency": {"en": "agency", "zh_CN": "个险代理人"},
    "broker": {"en": "broker", "zh_CN": "经纪"},
    # service channel
    "app": {"en": "app", "zh_CN": "App"},
    "web": {"en": "web", "zh_CN": "网页"},
    "phone": {"en": "phone", "zh_CN": "电话"},
    "WeChat": {"en": "WeChat", "zh_CN": "微信"},
    # service topic
    "policy inquiry": {"en": "policy inquiry", "zh_CN": "保单查询"},
    "premium payment": {"en": "premium payment", "zh_CN": "保费缴纳"},
    "claims": {"en": "claims", "zh_CN": "理赔"},
    "benefits": {"en": "benefits", "zh_CN": "权益"},
    "change of details": {"en": "change of details", "zh_CN": "信息变更"},
    "surrender": {"en": "surrender", "zh_CN": "退保"},
    "complaint": {"en": "complaint", "zh_CN": "投诉"},
    # benefit
    "online consultation": {"en": "online consultation", "zh_CN": "在线问诊"},
    "health check-up": {"en": "health check-up", "zh_CN": "健康体检"},
    "hospital appointment": {"en": "hospital appointment", "zh_CN": "就医预约"},
    "dental care": {"en": "dental care", "zh_CN": "齿科服务"},
    "second opinion": {"en": "second opinion", "zh_CN": "第二诊疗意见"},
    # member tier
    "standard": {"en": "standard", "zh_CN": "普通会员"},
    "silver": {"en": "silver", "zh_CN": "银卡会员"},
    "gold": {"en": "gold", "zh_CN": "金卡会员"},
    "platinum": {"en": "platinum", "zh_CN": "铂金会员"},
    # payment frequency
    "single": {"en": "single premium", "zh_CN": "趸交"},
    "annual": {"en": "annual", "zh_CN": "年缴"},
    "semi-annual": {"en": "semi-annual", "zh_CN": "半年缴"},
    "quarterly": {"en": "quarterly", "zh_CN": "季缴"},
    "monthly": {"en": "monthly", "zh_CN": "月缴"},
    # product type
    "term life": {"en": "term life", "zh_CN": "定期寿险"},
    "whole life": {"en": "whole life", "zh_CN": "终身寿险"},
    "critical illness": {"en": "critical illness", "zh_CN": "重疾险"},
    "medical": {"en": "medical", "zh_CN": "医疗险"},
    "annuity": {"en": "annuity", "zh_CN": "年金险"},
    # gender
    "F": {"en": "F", "zh_CN": "女"},
    "M": {"en": "M", "zh_CN": "男"},
    # group comparison tests (analysis.weighted_logrank)
    "logrank": {"en": "log-rank", "zh_CN": "对数秩检验"},
    "wilcoxon": {"en": "Wilcoxon (Gehan-Breslow)", "zh_CN": "Wilcoxon检验（Gehan-Breslow）"},
    "tarone": {"en": "Tarone-Ware", "zh_CN": "Tarone-Ware检验"},
    "peto": {"en": "Peto-Peto", "zh_CN": "Peto-Peto检验"},
    # collected-premium persistency: the reconciliation's measures and differences, and the
    # exclusion waterfall (memberdesk.analysis.collected_persistency)
    "collected_premium": {"en": "collected premium persistency", "zh_CN": "实收保费继续率"},
    "collected_count": {"en": "collected count persistency", "zh_CN": "实收件数继续率"},
    "status_premium": {"en": "status-basis premium persistency", "zh_CN": "状态口径保费继续率"},
    "status_count": {"en": "status-basis count persistency", "zh_CN": "状态口径件数继续率"},
    "km_survival": {"en": "Kaplan-Meier survival", "zh_CN": "Kaplan-Meier生存率"},
    "experience_persistency": {"en": "experience-study persistency", "zh_CN": "经验分析继续率"},
    "in_force_unpaid": {"en": "in force, premium unpaid", "zh_CN": "有效但保费未缴"},
    "cured_in_grace": {"en": "paid within the grace period", "zh_CN": "宽限期内补缴"},
    "paid_late": {"en": "paid late", "zh_CN": "逾期缴费"},
    "partial": {"en": "partly paid", "zh_CN": "部分缴费"},
    "collected_not_in_force": {"en": "collected, not in force", "zh_CN": "已缴费但保单非有效"},
    "single_premium": {"en": "single premium", "zh_CN": "趸交"},
    "free_look": {"en": "free-look cancellation", "zh_CN": "犹豫期撤单"},
    "claim": {"en": "claim", "zh_CN": "理赔"},
    "no_first_instalment": {"en": "no first instalment", "zh_CN": "首期保费未缴"},
    # alerts (memberdesk.analysis.alerts): level and status against the previous run
    "alarm": {"en": "alarm", "zh_CN": "报警"},
    "alert": {"en": "alert", "zh_CN": "预警"},
    "new": {"en": "new", "zh_CN": "新增"},
    "ongoing": {"en": "ongoing", "zh_CN": "持续"},
    "resolved": {"en": "resolved", "zh_CN": "已解除"},
}

# Values with a natural order (bands, tiers, frequencies): sorted by it, not alphabetically, in
# every combo, legend and table. The premium and age bands are memberdesk.core.dataset's.
VALUE_ORDERS: tuple[tuple[str, ...], ...] = (
    ("<1k", "1k-3k", "3k-10k", "10k-30k", "30k+"),
    ("0-17", "18-29", "30-39", "40-49", "50-59", "60+"),
    ("standard", "silver", "gold", "platinum"),
    ("single", "annual", "semi-annual", "quarterly", "monthly"),
)


def value_label(value: object, lang: str = "en") -> object:
    """A coded value in ``lang`` (``bancassurance`` -> 银保 in Chinese); English and any value
    not in :data:`VALUES` (numbers, the user's own words) unchanged."""
    if lang == "en" or not isinstance(value, str):
        return value
    entry = VALUES.get(value)
    return value if entry is None else _pick(entry, lang)


def value_text(value: object, lang: str = "en") -> object:
    """Like :func:`value_label`, but the catalogue's English too (``in_force`` -> "in force"):
    for places that show the code itself otherwise (the Alerts page's segments and policies)."""
    if not isinstance(value, str):
        return value
    entry = VALUES.get(value)
    return value if entry is None else _pick(entry, lang)


def ordered_values(values: Iterable[T]) -> list[T]:
    """``values`` (distinct) in their natural order when they all belong to one ordered set of
    :data:`VALUE_ORDERS` (bands, tiers); otherwise sorted as text. Missing values go last."""
    items = list(dict.fromkeys(values))
    present = [v for v in items if isinstance(v, str)]
    rest = [v for v in items if not isinstance(v, str)]
    for order in VALUE_ORDERS:
        if present and all(v in order for v in present):
            return [*sorted(present, key=lambda v: order.index(str(v))), *rest]
    try:
        rest = sorted(rest)  # type: ignore[type-var]
    except TypeError:
        rest = sorted(rest, key=str)
    return [*sorted(present, key=str), *rest]


def sort_by_value_order(frame: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """``frame`` sorted (stably) by ``columns``, where a column whose values all belong to one
    ordered set of :data:`VALUE_ORDERS` sorts by that order (tiers standard < silver < gold,
    premium bands by amount) and any other column as it sorts by itself."""
    cols = [c for c in columns if c in frame.columns]
    if not cols or len(frame) < 2:
        return frame
    ranks: dict[str, dict[str, int]] = {}
    for c in cols:
        present = {v for v in frame[c].dropna().unique() if isinstance(v, str)}
        for order in VALUE_ORDERS:
            if present and present <= set(order):
                ranks[c] = {v: i for i, v in enumerate(order)}
                break
    if not ranks:
        return frame

    def key(s: pd.Series) -> pd.Series:
        return s.map(ranks[str(s.name)]) if s.name in ranks else s

    return frame.sort_values(cols, key=key, kind="stable", na_position="last")
