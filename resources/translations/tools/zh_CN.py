"""简体中文 translations of MemberDesk's user-interface strings: English source -> Chinese.

The source of truth for ``memberdesk_zh_CN.ts``: ``fill_ts.py`` copies these into the .ts that
``pyside6-lupdate`` writes (``make translations``). Keys are the exact source texts (with
Python ``{placeholders}``, which must survive unchanged). :data:`BY_CONTEXT` overrides a text
in one context where the same English needs a different Chinese.

Terminology (寿险行业通用译法): persistency 继续率, lapse 失效, surrender 退保, death 身故,
maturity 满期, benefits 权益, claims 理赔, policy administration 保全, bot replacement rate
智能客服替代率, human connection rate 人工接通率, cockpit 经营管理驾驶舱, metric dictionary
数据指标字典, lineage 指标血缘, hazard ratio 风险比, survival curve 生存曲线, censored 删失,
exposure 暴露数, actual/expected 实际/预期 (A/E), survival analysis 生存分析, competing risks
竞争风险, cumulative incidence 累计发生率, policy year 保单年度, credibility 可信度, median 中位数,
confidence interval 置信区间, Kaplan-Meier 卡普兰-迈耶 (KM), Cox model Cox 比例风险模型,
RMST 限制平均生存时间, log-rank test 对数秩检验, cohort 队列, as-of date 评估日.
Menu accelerators follow the Chinese convention "文件(&F)".
"""
from __future__ import annotations

ZH: dict[str, str] = {
    # ---- charts ------------------------------------------------------------------------
    "Reset zoom": "重置缩放",
    "Show all data again after zooming or panning": "缩放或平移后重新显示全部数据",
    "PNG…": "PNG…",
    "{0} already exists. Replace it?": "{0} 已存在。要替换吗？",  # chart export (base.export_path)
    "Export the chart as a PNG image": "将图表导出为 PNG 图片",
    "SVG…": "SVG…",
    "Export the chart as an SVG drawing": "将图表导出为 SVG 矢量图",
    "Copy data": "复制数据",
    "Copy the chart's numbers (tab-separated) to the clipboard": "将图表数据（制表符分隔）复制到剪贴板",
    "Table": "表格",
    "Show the chart's numbers as a table": "以表格显示图表数据",
    "PNG image (*.png)": "PNG 图片 (*.png)",
    "SVG drawing (*.svg)": "SVG 矢量图 (*.svg)",
    "Export chart": "导出图表",
    "Hazard ratio (log scale; &lt; 1 = stays longer)": "风险比（对数刻度；&lt; 1 = 留存更久）",
    "proportional-hazards assumption rejected (p &lt; 0.05): the ratio changes over time":
        "比例风险假设被拒绝（p &lt; 0.05）：风险比随时间变化",
    "not yet observed": "尚未观察到",
    "Share still in force": "仍有效占比",
    "Number at risk": "风险集数量",
    "No 95% CI band for groups of fewer than {n} subjects: {names}":
        "样本少于 {n} 的分组不绘制 95% 置信区间带：{names}",
    "Time since issue ({unit})": "自承保起时间（{unit}）",
    "months": "月",
    "days": "天",
    "Log-rank test": "对数秩检验",
    "t = {t:.1f} {unit}": "t = {t:.1f} {unit}",
    "{name}: {s:.1%} (95% CI {lo:.1%}–{hi:.1%}), at risk {n:,}":
        "{name}：{s:.1%}（95% 置信区间 {lo:.1%}–{hi:.1%}），风险集 {n:,}",
    "{v:,.0f} s": "{v:,.0f} 秒",
    "{v:,.1f} days": "{v:,.1f} 天",
    "{v:,.1f} months": "{v:,.1f} 个月",
    "no previous period": "无上期数据",
    "{arrow} {d:+.1f} pp vs previous": "{arrow} 较上期 {d:+.1f} 个百分点",
    "{arrow} {d:+.1%} vs previous": "{arrow} 较上期 {d:+.1%}",
    "{arrow} {d:+,.4g} vs previous": "{arrow} 较上期 {d:+,.4g}",
    "Click for the definition and lineage of this figure": "点击查看该指标的定义与指标血缘",
    "Time since issue (months)": "自承保起时间（月）",
    "Kaplan-Meier (observed)": "卡普兰-迈耶（观察值）",
    "end of data": "数据截止",
    "Cumulative probability of leaving": "累计退出概率",
    # ---- dialogs -----------------------------------------------------------------------
    "The data cannot be used": "数据无法使用",
    "column {0}": "列 {0}",
    "This analysis cannot be computed": "无法计算此分析",
    "A file could not be read or written": "无法读取或写入文件",
    "Something went wrong": "出现问题",
    "MemberDesk hit an unexpected problem: {0}": "MemberDesk 遇到意外问题：{0}",
    "Where: {0}": "位置：{0}",
    "While: {0}": "操作：{0}",
    "Show details": "显示详情",
    "Copy details": "复制详情",
    "Hide details": "隐藏详情",
    "About MemberDesk": "关于 MemberDesk",
    "<h3>MemberDesk {0}</h3><p>Member-lifecycle analytics for a mutual life insurer: retention, "
    "persistency, drivers of lapse, projections, decrements, experience studies, benefits, "
    "service and claims, with an Excel report for managers.</p><p>Statistics: Kaplan-Meier and "
    "Cox models by <a href='https://lifelines.readthedocs.io'>lifelines</a>; charts by pyqtgraph; "
    "user interface by Qt for Python (PySide6).</p>":
        "<h3>MemberDesk {0}</h3><p>面向相互制寿险公司的会员全生命周期分析：留存、继续率、失效驱动因素、"
        "预测、退出分解、经验分析、权益、服务与理赔，并为管理层生成 Excel 报告。</p>"
        "<p>统计方法：卡普兰-迈耶与 Cox 模型由 "
        "<a href='https://lifelines.readthedocs.io'>lifelines</a> 提供；图表由 pyqtgraph 绘制；"
        "用户界面基于 Qt for Python（PySide6）。</p>",
    # ---- analysis pages: shared ---------------------------------------------------------
    "policies": "保单",
    "a policies file": "保单文件",
    "members": "会员",
    "a members file": "会员文件",
    "benefit usage records": "权益使用记录",
    "a benefit_usage file": "权益使用文件（benefit_usage）",
    "service contacts": "服务接触记录",
    "a service_contacts file": "服务接触文件（service_contacts）",
    "claims": "理赔",
    "a claims file": "理赔文件",
    "No data loaded — open a policies file (or a folder of files) to start.":
        "尚未加载数据 — 请打开保单文件（或数据文件夹）开始。",
    "data": "数据",
    "a file": "数据文件",
    "No {name} loaded — load {how} to see this page.": "尚未加载{name} — 请加载{how}以查看本页。",
    "Computing…": "计算中…",
    "Cancelled — change a setting or open the page again to compute.": "已取消 — 更改设置或重新打开本页即可重新计算。",
    "This analysis is not available yet in this version of MemberDesk ({what}).":
        "此版本的 MemberDesk 尚未提供该分析（{what}）。",
    "This analysis cannot be computed on the current data:\n{msg}": "无法基于当前数据计算该分析：\n{msg}",
    "Something went wrong: {msg}": "出现问题：{msg}",
    # metric details
    "metric": "指标",
    "intermediate result": "中间结果",
    "derived column": "派生字段",
    "source column": "源字段",
    "setting": "参数设置",
    "Click a figure or a metric to see its definition and lineage.": "点击数字或指标，查看其定义与指标血缘。",
    "Lineage: computed from": "指标血缘：计算来源",
    "Kind": "类型",
    "No definition is registered for “{id}”.": "未登记“{id}”的定义。",
    "higher is better": "越高越好",
    "lower is better": "越低越好",
    "neither higher nor lower is better": "无好坏方向",
    "Formula": "公式",
    "Unit": "单位",
    "Id": "编号",
    # ---- benefits ------------------------------------------------------------------------
    "Benefits": "权益",
    "No benefit usage loaded — load a benefit_usage file to see this page.":
        "尚未加载权益使用数据 — 请加载权益使用文件（benefit_usage）以查看本页。",
    "Usage of member benefits (权益) and its link with retention.": "会员权益的使用情况及其与留存的关系。",
    "Usage rate by:": "使用率分组：",
    "all members": "全部会员",
    "Landmark:": "界标时点：",
    "12 months": "12 个月",
    "6 months": "6 个月",
    "24 months": "24 个月",
    "Uses per month by benefit": "各项权益每月使用次数",
    "Usage rate (last 12 months)": "使用率（近 12 个月）",
    "Users vs non-users: retention": "使用者与未使用者的留存对比",
    "Naive: ever-users vs never-users from issue — flattered by immortal-time bias (a policy "
    "must survive to use a benefit). Landmark: only policies in force at the landmark, grouped "
    "by use before it, followed from the landmark — the fair comparison.":
        "朴素比较：自承保起比较曾使用与从未使用者 — 受“不朽时间偏倚”影响而偏高（保单须先存续才能使用权益）。"
        "界标法：仅取界标时点仍有效的保单，按界标前是否使用分组，自界标时点起跟踪 — 这才是公平的比较。",
    "Month": "月份",
    "Uses": "使用次数",
    "Members who used a benefit": "使用过权益的会员占比",
    "users": "使用者",
    "non-users": "未使用者",
    "naive (from issue)": "朴素比较（自承保起）",
    "landmark (fair)": "界标法（公平比较）",
    "Month-end": "月末",
    "Usage rate (12 months to each month-end)": "权益使用率（截至各月末的近 12 个月）",
    "issue date": "承保日",
    "landmark": "界标时点",
    "Years since issue": "承保后年数",
    "Still in force {h:g} months after origin": "起点后 {h:g} 个月仍有效占比",
    "Retention comparison not available: {e}": "无法进行留存对比：{e}",
    # ---- import wizard -------------------------------------------------------------------
    "Check": "检查",
    "What was accepted and what was rejected, and why. Rejected rows can be exported to correct "
    "them at the source.": "哪些行被接受、哪些被拒绝及原因。被拒绝的行可以导出，以便在源头更正。",
    "Checking the data…": "正在检查数据…",
    "The data cannot be loaded: {0}": "无法加载数据：{0}",
    "Columns": "字段",
    "Check which table each file holds and what each column means. Columns left as 'extra' stay "
    "available as segments.": "确认每个文件属于哪张表、每列的含义。保留为“额外”的列仍可用作分组维度。",
    "Reading the files…": "正在读取文件…",
    "{0} table(s) found.": "找到 {0} 张表。",
    "These files cannot be read: {0}": "无法读取以下文件：{0}",
    "Files": "文件",
    "Choose the files (CSV, Excel, Parquet) or folders to load. Only a policies file is required.":
        "选择要加载的文件（CSV、Excel、Parquet）或文件夹。只有保单文件是必需的。",
    "Add folder…": "添加文件夹…",
    "Remove": "移除",
    "Add a folder": "添加文件夹",
    "Import data": "导入数据",
    "Import": "导入",
    # ---- claims --------------------------------------------------------------------------
    "Claims": "理赔",
    "No claims loaded — load a claims file to see this page.": "尚未加载理赔数据 — 请加载理赔文件以查看本页。",
    "Share of claims still open by days since report (open claims censored at the as-of date), "
    "and paid ratios.": "按报案后天数统计的未结案理赔占比（未结案件在评估日删失），以及赔付率。",
    "Share of claims still open": "未结案理赔占比",
    "Time to settlement": "结案时效",
    "Paid ratio by product": "各产品赔付率",
    "Days since the claim was reported": "报案后天数",
    "Paid ratio": "赔付率",
    "by amount": "按金额",
    "by count": "按件数",
    # ---- cockpit -------------------------------------------------------------------------
    "Cockpit": "经营管理驾驶舱",
    "Key figures at the as-of date; the change compares with the same date a year earlier. "
    "Click a tile for its definition.": "评估日的关键指标；变化与上年同日相比。点击指标卡查看定义。",
    # ---- data page -----------------------------------------------------------------------
    "<h2>Data</h2>": "<h2>数据</h2>",
    "No data loaded yet. Open files or a folder, connect to a database, drop files on the window, "
    "or try the sample data.":
        "尚未加载数据。请打开文件或文件夹、连接数据库、将文件拖放到窗口中，或试用示例数据。",
    "Files cannot be added to a database book; open them on their own instead":
        "不能向数据库中添加文件；请单独打开这些文件",
    "Open files…": "打开文件…",
    "Add files…": "添加文件…",
    "Load more files together with the ones loaded (e.g. a members file next to the policies)":
        "与已加载的文件一起加载更多文件（例如在保单文件之外再加会员文件）",
    "Open folder…": "打开文件夹…",
    "Import with column mapping…": "按字段映射导入…",
    "Check how the columns of your files are read before loading, and correct them":
        "加载前检查文件各列的读取方式并加以更正",
    "Open sample data": "打开示例数据",
    "Tables": "数据表",
    "Validation": "校验",
    "Data": "数据",
    "Validation ({0:,} rejected)": "校验（拒绝 {0:,} 行）",
    "(unknown)": "（未知）",
    "<b>Files:</b> {0}<br><b>Accepted rows:</b> {1}<br><b>As of:</b> {2} — showing the first {3} "
    "rows of each table.": "<b>文件：</b>{0}<br><b>接受行数：</b>{1}<br><b>评估日：</b>{2} — 每张表显示前 {3} 行。",
    "<b>Database:</b> {0}<br><b>Accepted rows:</b> {1}<br><b>As of:</b> {2} — showing the first {3} "
    "rows of each table.": "<b>数据库：</b>{0}<br><b>接受行数：</b>{1}<br><b>评估日：</b>{2} — 每张表显示前 {3} 行。",
    "Open data files": "打开数据文件",
    "Add data files": "添加数据文件",
    "Open a folder of data files": "打开数据文件夹",
    # ---- decrements ----------------------------------------------------------------------
    "Decrements (competing exits)": "退出分解（竞争风险）",
    "Probability of having left by each cause by each duration, with the other causes competing "
    "(not censored). The top edge is the probability of having left for any reason.":
        "各保单年限下因各原因退出的累计概率，其他原因作为竞争风险（不作删失处理）。顶部边缘为因任何原因退出的概率。",
    "Segment:": "分组：",
    "Whole book": "全部业务",
    "Show:": "显示：",
    "Cumulative incidence by cause": "各原因累计发生率",
    "Cumulative incidence by cause — {g}": "各原因累计发生率 — {g}",
    # ---- dictionary ----------------------------------------------------------------------
    "Metric dictionary": "数据指标字典",
    "Every figure MemberDesk shows: what it means, how it is computed and which data it comes from.":
        "MemberDesk 显示的每个数字：含义、计算方法及数据来源。",
    "Search names, definitions, columns…": "搜索名称、定义、字段…",
    "Search:": "搜索：",
    # ---- drivers -------------------------------------------------------------------------
    "Drivers of lapse (Cox model)": "失效驱动因素（Cox 模型）",
    "Hazard ratio > 1: that level lapses faster than the reference level (the most frequent one); "
    "< 1: it stays longer. Whiskers are 95% confidence intervals.":
        "风险比 > 1：该水平比参照水平（最常见的水平）失效更快；< 1：留存更久。误差线为 95% 置信区间。",
    "Covariates:": "协变量：",
    "Hazard ratios": "风险比",
    "Tick at least one covariate to fit the model.": "请至少勾选一个协变量以拟合模型。",
    "{n:,} policies, {e:,} lapses. Concordance {c:.3f}. Likelihood-ratio test p = {p:.3g}.\n"
    "Reference levels: {refs}": "{n:,} 件保单，{e:,} 件失效。一致性指数 {c:.3f}。似然比检验 p = {p:.3g}。\n参照水平：{refs}",
    # ---- experience ----------------------------------------------------------------------
    "Experience study (A/E)": "经验分析（实际/预期）",
    "Termination rate = actual ÷ exposure (policy-years) per policy year or calendar year. With an "
    "expected table, A/E = actual ÷ expected; credibility Z = min(1, √(actual ÷ 1,537·(1−rate))).":
        "实际发生率 = 实际发生数 ÷ 暴露数（保单年），按保单年度或日历年度计算。提供预期率表时，实际/预期 (A/E) = 实际 ÷ 预期；"
        "可信度 Z = min(1, √(实际 ÷ 1,537·(1−实际发生率)))。",
    "no expected table (rates only)": "无预期率表（仅计算实际发生率）",
    "Expected table…": "预期率表…",
    "Clear": "清除",
    "Split by:": "分组：",
    "Terminations studied:": "研究的终止类型：",
    "Experience": "经验分析",
    "Expected-rate table": "预期率表",
    "Tables (*.csv *.txt *.xlsx)": "数据表 (*.csv *.txt *.xlsx)",
    "Tick at least one termination status to study.": "请至少勾选一种终止状态。",
    "Policy year": "保单年度",
    "Calendar year": "日历年度",
    "Basis:": "统计基准：",
    "Actual ÷ expected by calendar year (95% CI)": "各日历年度实际/预期（95% 置信区间）",
    "Termination rate by calendar year (95% CI)": "各日历年度实际发生率（95% 置信区间）",
    "Termination rate by calendar year (95% CI) — load an expected table for A/E":
        "各日历年度实际发生率（95% 置信区间）— 加载预期率表可计算实际/预期",
    "The expected table has no calendar_year column, so its rates cannot be matched to calendar "
    "years: A/E needs the policy-year basis (or a table by calendar_year). Showing rates only.":
        "预期率表没有 calendar_year（日历年度）列，其预期率无法按日历年度匹配：实际/预期需使用保单年度"
        "基准（或按 calendar_year 给出的预期率表）。当前仅显示实际发生率。",
    "A/E": "实际/预期",
    "Actual ÷ expected by policy year (95% CI)": "各保单年度实际/预期（95% 置信区间）",
    "Termination rate": "实际发生率",
    "Termination rate by policy year (95% CI) — load an expected table for A/E":
        "各保单年度实际发生率（95% 置信区间）— 加载预期率表可计算实际/预期",
    "Total: exposure {e:,.2f} policy-years, actual {a:,.0f}, rate {r:.2%}{ae}":
        "合计：暴露数 {e:,.2f} 保单年，实际 {a:,.0f}，实际发生率 {r:.2%}{ae}",
    ", A/E {v:.3f}": "，实际/预期 {v:.3f}",
    # ---- filter bar ----------------------------------------------------------------------
    "latest": "最新",
    "As-of date: the observation cut-off. Everything after it is treated as not yet happened. "
    "Default: the latest date in the data.": "评估日：观察截止日，其后的一切视为尚未发生。默认：数据中的最新日期。",
    "any": "不限",
    "Only policies issued on or after this date": "仅包括该日期及之后承保的保单",
    "Only policies issued on or before this date": "仅包括该日期及之前承保的保单",
    "Product": "产品",
    "Channel": "渠道",
    "Region": "地区",
    "Tier": "会员等级",
    "Clear filters": "清除筛选",
    "As of": "评估日",
    "Issued": "承保日期",
    "as of {0}": "评估日 {0}",
    "Active: {0}": "当前筛选：{0}",
    "No filters: all data": "无筛选：全部数据",
    "All (no filter)": "全部（不筛选）",
    "{0}: all": "{0}：全部",
    "{0}: {1} of {2}": "{0}：{1}/{2}",
    # ---- guide, main window ---------------------------------------------------------------
    "MemberDesk user guide": "MemberDesk 用户指南",
    "Retention": "留存",
    "Persistency & Cohorts": "继续率与队列",
    "Drivers": "驱动因素",
    "Projection": "预测",
    "Decrements": "退出分解",
    "Experience study": "经验分析",
    "Service": "服务",
    "Dictionary": "数据指标字典",
    "Loading data": "加载数据",
    "Exporting": "导出",
    "No data loaded": "未加载数据",
    "Opening a page": "打开页面",
    "This page could not be opened: {0}": "无法打开此页面：{0}",
    "Loading {0}…": "正在加载 {0}…",
    " The data already loaded are kept.": "已加载的数据保持不变。",
    "Could not load the data.": "无法加载数据。",
    "As of {0}": "评估日 {0}",
    "Opening a workspace": "打开工作区",
    "The {0} page is not available in this version.": "此版本不提供“{0}”页面。",
    # ---- mapping editor ------------------------------------------------------------------
    "Ignore this table": "忽略此表",
    "Column in the file": "文件中的列",
    "Column in the table": "表中的列",  # the mapping editor of a database table
    "Examples": "示例",
    "Means": "含义",
    "This table holds:": "此表内容：",
    "(keep as extra column)": "（保留为额外列）",
    "Required but not mapped: {0}": "必需但未映射：{0}",
    # ---- persistency ---------------------------------------------------------------------
    "Persistency & cohorts": "继续率与队列",
    "Persistency ratio: annual premium of the cohort still in force at the end of its 13th (25th) "
    "policy month ÷ the cohort's premium. Single-premium, free-look cancellations and deaths are "
    "excluded.": "继续率：队列在第 13（25）个保单月末仍有效的年化保费 ÷ 该队列的保费。趸交、犹豫期退保及身故不计入。",
    "Month:": "月份：",
    "13th month": "第 13 个月",
    "25th month": "第 25 个月",
    "Period:": "统计期：",
    "rolling 12 months": "滚动 12 个月",
    "month": "月",
    "quarter": "季度",
    "year": "年",
    "Measure:": "口径：",
    "premium": "保费",
    "policy count": "件数",
    "Cohorts by:": "队列划分：",
    "Cohort:": "队列：",
    "issue month": "承保月份",
    "issue quarter": "承保季度",
    "Persistency trend": "继续率趋势",
    "Cohort retention": "队列留存",
    "Cohort heatmap": "队列热力图",
    "Persistency table": "继续率表",
    "Evaluation period (end)": "评估期（期末）",
    "{m}-month persistency": "{m} 个月继续率",
    "{m}-month persistency ({measure}) by {by}": "按{by}的 {m} 个月继续率（{measure}）",
    "whole book": "全部业务",
    "Months since issue": "承保后月数",
    "Issue cohort": "承保队列",
    "Share still in force by issue cohort ({w})": "各承保队列仍有效占比（{w}）",
    # ---- projection ----------------------------------------------------------------------
    "Projection (parametric models)": "预测（参数模型）",
    "Smooth models fitted to the observed retention; the lowest AIC fits best (★). Beyond the end "
    "of the data (dashed) the curves are extrapolations — read them as scenarios.":
        "对观察到的留存拟合平滑模型；AIC 最低者拟合最好（★）。数据截止之后（虚线）的曲线为外推 — 请视作情景。",
    " months": " 个月",
    "Project to:": "预测至：",
    "Fitted models vs Kaplan-Meier": "拟合模型与卡普兰-迈耶曲线对比",
    "Fitted models vs Kaplan-Meier — best by AIC: {m}": "拟合模型与卡普兰-迈耶曲线对比 — AIC 最优：{m}",
    " (not fitted: {f})": "（未拟合：{f}）",
    # ---- retention -----------------------------------------------------------------------
    "Retention (Kaplan-Meier)": "留存（卡普兰-迈耶生存分析）",
    "Share of policies still in force by time since issue. Event = voluntary exit (lapse or "
    "surrender); deaths, maturities and policies still in force are censored (ticks).":
        "按承保后时间统计的仍有效保单占比（生存曲线）。事件 = 主动退出（失效或退保）；身故、满期及仍有效的保单作删失处理（刻度标记）。",
    "All policies": "全部保单",
    "Time unit:": "时间单位：",
    " years": " 年",
    "RMST horizon:": "RMST 期限：",
    "Retention curves": "留存曲线",
    "Survival at 1/2/3/5 years": "1/2/3/5 年生存率",
    "Medians": "中位数",
    "Pairwise log-rank": "两两对数秩检验",
    "RMST": "限制平均生存时间 (RMST)",
    "Log-rank test (χ² = {x:.1f}, {df} df)": "对数秩检验（χ² = {x:.1f}，自由度 {df}）",
    "all policies": "全部保单",
    "Retention by {by}": "按{by}的留存",
    "Choose a segment with two or more groups to compare them.": "请选择包含两个或以上组别的分组维度进行比较。",
    "RMST to {h:g} {unit}": "{h:g} {unit}内的 RMST",
    # ---- service -------------------------------------------------------------------------
    "No service contacts loaded — load a service_contacts file to see this page.":
        "尚未加载服务接触数据 — 请加载服务接触文件（service_contacts）以查看本页。",
    "Bot replacement = bot contacts not transferred to a human ÷ all contacts; human connection = "
    "human-queue contacts answered ÷ human-queue contacts; CSAT = share of ratings ≥ 4.":
        "智能客服替代率 = 未转人工的智能客服接触量 ÷ 全部接触量；人工接通率 = 人工队列已接通量 ÷ 人工队列接触量；"
        "客户满意度 (CSAT) = 评分 ≥ 4 的占比。",
    "Service rates by month": "各月服务指标",
    "Contacts by channel": "各渠道接触量",
    "Contacts by topic (last 12 months)": "各主题接触量（近 12 个月）",
    "Human-queue wait (seconds)": "人工排队等待时长（秒）",
    "Rate": "比率",
    "Contacts": "接触量",
    "Seconds": "秒",
    "Bot replacement": "智能客服替代率",
    "Human connection": "人工接通率",
    "CSAT": "客户满意度 (CSAT)",
    "Resolved": "问题解决率",
    "Mean wait": "平均等待",
    "90% answered within": "90% 接通时长",
    "Last 12 months: {n:,.0f} contacts · bot replacement {b} · human connection {h} · CSAT {c}":
        "近 12 个月：接触量 {n:,.0f} · 智能客服替代率 {b} · 人工接通率 {h} · 客户满意度 {c}",
    # ---- menus and shell actions ---------------------------------------------------------
    "&Open files…": "打开文件(&O)…",
    "Open &folder…": "打开文件夹(&F)…",
    "Open &workspace…": "打开工作区(&W)…",
    "&Save workspace": "保存工作区(&S)",
    "Save workspace &as…": "工作区另存为(&A)…",
    "&Export report…": "导出报告(&E)…",
    "Export &chart…": "导出图表(&C)…",
    "&Quit": "退出(&Q)",
    "&User guide": "用户指南(&U)",
    "&About MemberDesk": "关于 MemberDesk(&A)",
    "The Excel report is not available in this installation": "此安装不提供 Excel 报告",
    "&File": "文件(&F)",
    "Open &recent": "最近打开(&R)",
    "&View": "视图(&V)",
    "&Theme": "主题(&T)",
    "Light": "浅色",
    "Dark": "深色",
    "&Language": "语言(&L)",
    "&Help": "帮助(&H)",
    "Main toolbar": "主工具栏",
    "Clear list": "清空列表",
    "Open workspace": "打开工作区",
    "File moved": "文件已移动",
    "The workspace uses {0}, which is no longer there. Please show where it is now; other files "
    "from the same folder are looked for next to it.":
        "工作区使用的 {0} 已不在原位置。请指出它现在的位置；同一文件夹中的其他文件将在其旁边查找。",
    "Where is {0}?": "{0} 在哪里？",
    "Save workspace": "保存工作区",
    "Unsaved changes": "未保存的更改",
    "Save the current files, filters and page as a workspace before closing?":
        "关闭前是否将当前文件、筛选条件和页面保存为工作区？",
    "Export report": "导出报告",
    "Report written to {0}": "报告已写入 {0}",
    "This page has no chart to export": "本页没有可导出的图表",
    "Chart:": "图表：",
    "Language": "语言",
    "The language changes the next time MemberDesk starts.": "语言将在下次启动 MemberDesk 时切换。",
    # ---- task status, validation ---------------------------------------------------------
    "Cancel": "取消",
    "Stop the running task": "停止正在运行的任务",
    "Show all rejected rows": "显示全部被拒绝的行",
    "Export rejected rows…": "导出被拒绝的行…",
    "<b>Rows read, accepted and rejected per table</b>": "<b>各表读取、接受与拒绝的行数</b>",
    "<b>Why rows were rejected</b> — select a line to see those rows": "<b>拒绝原因</b> — 选中一行查看对应数据",
    "<b>Rejected rows</b> ({0:,})": "<b>被拒绝的行</b>（{0:,}）",
    "<b>Rejected rows</b>: {0}, {1} ({2:,} of {3:,})": "<b>被拒绝的行</b>：{0}，{1}（{2:,}/{3:,}）",
    "Export rejected rows": "导出被拒绝的行",
    # ---- analysis-layer text rebuilt in the UI (memberdesk/ui/analysis_text.py) ---------------
    "proportional hazards look reasonable ({p})": "比例风险假设成立（{p}）",
    "effect changes over time ({p}): read the hazard ratio as an average":
        "效应随时间变化（{p}）：风险比应理解为平均值",
    "only {k} events per coefficient: estimates may be unstable (rule of thumb: {r})":
        "每个系数仅 {k} 个事件：估计可能不稳定（经验值：{r}）",
    "{n} rows with a missing numeric covariate were left out": "{n} 行数值协变量缺失，未纳入模型",
    "no policies loaded": "未加载保单",
    "policies have no issue dates (generic survival table)": "保单没有承保日期（通用生存数据表）",
    "policies have no annual premium column": "保单缺少年化保费列",
    "annual premium is empty on every policy": "所有保单的年化保费均为空",
    "policies have no member ID column": "保单缺少会员编号列",
    "no benefit usage loaded": "未加载权益使用记录",
    "member IDs are needed on policies and benefit usage": "保单和权益使用记录都需要会员编号",
    "no service contacts loaded": "未加载服务接触记录",
    "no service contacts up to the as-of date": "评估日之前没有服务接触记录",
    "no claims loaded": "未加载理赔数据",
    "claims need report date and settlement date columns": "理赔数据需要报案日期和结案日期列",
    "not available in this version": "本版本暂不提供",
    "no data at the as-of date": "评估日没有数据",
    "no exposure in the 12 months to the as-of date": "评估日前 12 个月没有暴露数",
    "median not reached: more than half the policies are still in force at every duration":
        "中位数未达到：各时长下仍有一半以上保单有效",
    "no in-force members at the as-of date": "评估日没有有效会员",
    "no service contacts in the 12 months to the as-of date": "评估日前 12 个月没有服务接触",
    "no human-queue contacts in the 12 months to the as-of date": "评估日前 12 个月没有进入人工队列的接触",
    "no rated contacts in the 12 months to the as-of date": "评估日前 12 个月没有带评分的接触",
    "no claims reported in the 12 months to the as-of date, or fewer than half settled":
        "评估日前 12 个月没有报案理赔，或结案不足一半",
    "no policy reached its 13th month in the 12 months to the as-of date":
        "评估日前 12 个月没有保单达到第 13 个月",
    "no policy reached its 25th month in the 12 months to the as-of date":
        "评估日前 12 个月没有保单达到第 25 个月",
    "service contacts have no {columns} column": "服务接触记录缺少{columns}列",
}

# Column ids of result and data tables (context "Column"): the Chinese display header.
COLUMNS: dict[str, str] = {
    # identifiers and source fields (schema)
    "member_id": "会员号", "policy_id": "保单号", "claim_id": "理赔案件号", "contact_id": "接触编号",
    "birth_date": "出生日期", "age": "年龄", "gender": "性别", "region": "地区", "join_date": "入会日期",
    "tier": "会员等级", "product": "产品", "product_type": "产品类型", "channel": "渠道",
    "issue_date": "承保日期", "end_date": "终止日期", "status": "状态", "annual_premium": "年化保费",
    "sum_assured": "保额", "payment_frequency": "缴费频率", "duration": "持续时间", "event": "事件",
    "benefit": "权益", "used_at": "使用时间", "cost": "成本", "started_at": "开始时间",
    "handled_by": "处理方", "transferred_to_human": "转人工", "connected": "已接通",
    "wait_seconds": "等待秒数", "resolved": "已解决", "satisfaction": "满意度", "topic": "主题",
    "reported_at": "报案日期", "settled_at": "结案日期", "amount_claimed": "申请金额",
    "amount_paid": "赔付金额",
    # derived segments
    "age_band": "年龄段", "exit_status": "退出状态", "issue_year": "承保年份", "premium_band": "保费区间",
    "age_at_issue": "投保年龄",
    # survival and result tables
    "segment": "分组", "group": "组别", "time": "时间", "survival": "生存率", "ci_lower": "置信区间下限",
    "ci_upper": "置信区间上限", "at_risk": "风险集数量", "events": "事件数", "censored": "删失数",
    "n": "样本数", "median": "中位数", "median_ci_lower": "中位数置信下限",
    "median_ci_upper": "中位数置信上限", "median_days": "中位天数", "rmst": "限制平均生存时间",
    "se": "标准误", "difference": "差值", "difference_se": "差值标准误",
    "difference_ci_lower": "差值95%置信下限", "difference_ci_upper": "差值95%置信上限",
    "p_value": "p 值", "p_value_holm": "p 值（Holm 校正）", "test_statistic": "检验统计量",
    "group_a": "组 A", "group_b": "组 B", "years": "年数", "count": "计数",
    "covariate": "协变量", "coef": "系数", "hazard_ratio": "风险比", "hr_ci_lower": "风险比置信下限",
    "hr_ci_upper": "风险比置信上限", "verdict": "结论", "label": "标签",
    "model": "模型", "parameters": "参数", "aic": "AIC", "bic": "BIC", "log_likelihood": "对数似然",
    "best": "最优",
    "all_causes": "全部原因", "lapsed": "失效", "surrendered": "退保", "death": "身故",
    "matured": "满期", "in_force": "有效", "other": "其他",
    "policy_year": "保单年度", "calendar_year": "日历年度", "exposure": "暴露数", "actual": "实际", "expected": "预期",
    "ae": "实际/预期", "rate": "比率", "rate_lower": "比率下限", "rate_upper": "比率上限",
    "credibility": "可信度", "expected_claims": "预期件数",
    "period": "统计期", "period_end": "期末", "cohort_count": "队列件数", "cohort_premium": "队列保费",
    "persisting_count": "继续有效件数", "persisting_premium": "继续有效保费", "ratio_count": "件数继续率",
    "ratio_premium": "保费继续率", "excluded_single_premium": "剔除趸交", "excluded_free_look": "剔除犹豫期退保",
    "excluded_death": "剔除身故", "excluded_claim": "剔除理赔", "out_of_window": "不在观察窗口内",
    "users": "使用者", "non_users": "未使用者", "events_users": "使用者事件数",
    "events_non_users": "未使用者事件数", "survival_users": "使用者生存率",
    "survival_non_users": "未使用者生存率", "survival_difference": "生存率差值", "analysis": "分析方法",
    "origin": "起点", "claims": "理赔件数", "open": "未结案", "settled": "已结案",
    "paid_ratio_amount": "赔付率（金额）", "paid_ratio_count": "赔付率（件数）",
    "within_5_days": "5 天内结案", "within_10_days": "10 天内结案", "within_30_days": "30 天内结案",
    "value": "数值", "index": "序号",
    # validation report
    "file": "文件", "files": "文件", "sheet": "工作表", "table": "数据表", "read": "读取行数",
    "accepted": "接受行数", "rejected": "拒绝行数", "rows": "行数", "row": "行号", "column": "列",
    "reason": "原因", "detail": "详情", "meaning": "含义",
}

# Canonical table names and the status-bar "as of" (context "Table").
TABLES: dict[str, str] = {
    "policies": "保单", "members": "会员", "benefit_usage": "权益使用", "service_contacts": "服务接触",
    "claims": "理赔", "as of {0}": "评估日 {0}",
}

# Coded values shown as legends and list entries (context "Value").
VALUES: dict[str, str] = {
    "in_force": "有效", "lapsed": "失效", "surrendered": "退保", "death": "身故", "matured": "满期",
    "other": "其他", "paid": "已赔付", "declined": "拒赔", "open": "未结案", "bot": "智能客服",
    "human": "人工", "all": "全部", "All": "全部",
    "exponential": "指数分布", "weibull": "威布尔分布", "lognormal": "对数正态分布",
    "loglogistic": "对数逻辑斯谛分布",
    "bot_replacement_rate": "智能客服替代率", "human_connection_rate": "人工接通率",
    "csat": "客户满意度 (CSAT)", "resolution_rate": "问题解决率", "wait_mean_seconds": "平均等待秒数",
    "wait_p90_seconds": "等待秒数 P90", "paid_ratio_amount": "赔付率（金额）",
    "paid_ratio_count": "赔付率（件数）", "naive": "朴素比较", "landmark": "界标法",
}

BY_CONTEXT: dict[tuple[str, str], str] = {}

# ---- Retention list page (issue 15) and its link on the Drivers page: keyed by context, so a
# text another page also uses ("Observed", "Model") keeps that page's own translation.
_RETENTION_LIST: dict[str, str] = {
    "12 months": "12 个月",
    "3 months": "3 个月",
    "6 months": "6 个月",
    "All": "全部",
    "Best out of time": "时间外验证最优",
    "Calibration: predicted vs observed by decile": "校准：按十分位的预测与实际",
    "Cox model": "Cox 比例风险模型",
    "Excel (*.xlsx);;CSV (*.csv)": "Excel 工作簿 (*.xlsx);;CSV 文件 (*.csv)",
    "Export call list": "导出挽留名单",
    "Export call list…": "导出挽留名单…",
    "Gradient boosting": "梯度提升树",
    "Horizon:": "预测期：",
    "Include member ids, names and birth dates in the call list? Only do so if the people "
    "calling are allowed to see them.": "名单中是否包含会员号、姓名和出生日期？仅在致电人员有权查看时才包含。",
    "Lapse probability": "失效概率",
    "Lapses found when calling the highest risk first": "优先联系高风险保单可找到的失效比例",
    "Model": "模型",
    "Model:": "模型：",
    "Naive baseline": "朴素基准",
    "Next ▶": "下一页 ▶",
    "Observed": "实际",
    "Page {p} of {n} · {rows:,} policies": "第 {p} 页，共 {n} 页 · {rows:,} 件保单",
    "Personal data": "个人信息",
    "Policies called (%)": "已联系保单比例（%）",
    "Policy id contains…": "保单号包含…",
    "Predicted": "预测",
    "Probability that each in-force policy lapses or is surrendered within the horizon "
    "(deaths and maturities are not lapses), validated on the last horizon's actual lapses "
    "against a naive baseline. Call the highest risk x premium first.":
        "每件有效保单在预测期内失效或退保的概率（身故、满期不计为失效），以上一个预测期的实际失效"
        "相对朴素基准进行验证。优先联系风险×保费最高的保单。",
    "Random": "随机",
    "Baseline": "朴素基准",
    "Retention list: who to call": "挽留名单：应联系谁",
    "Risk decile (1 = highest)": "风险十分位（1 = 最高）",
    "Share of lapses found": "找到的失效比例",
    "chosen by you": "由您指定",
    "higher AUC; both models outside the calibration tolerance": "AUC更高；两个模型均超出校准容差",
    "higher out-of-time AUC, calibration within tolerance": "时间外AUC更高，校准在容差内",
    "the model with the higher AUC was outside the calibration tolerance":
        "AUC更高的模型超出校准容差",
    "{n:,} in-force policies scored, {h} months ahead; expected annual premium at risk "
    "{par:,.0f}. Validated on {p:,} policies in force on {c} ({e:,} lapsed by the as-of date). "
    "Model used: {m} ({why}).":
        "已为 {n:,} 件有效保单评分，预测期 {h} 个月；预期年化风险保费 {par:,.0f}。以 {c} 的 {p:,} "
        "件有效保单验证（截至评估日失效 {e:,} 件）。所用模型：{m}（{why}）。",
    "◀ Previous": "◀ 上一页",
}
BY_CONTEXT.update({("RetentionListPage", k): v for k, v in _RETENTION_LIST.items()})
BY_CONTEXT.update({
    ("DriversPage", "Who to call: Retention list →"): "应联系谁：挽留名单 →",
    ("DriversPage", "Lapse-risk scores of every in-force policy"): "每件有效保单的失效风险评分",
})

# ---- early warning and lineage (issue 14): the Alerts page, its charts, cockpit badges and
# the Dictionary's graph and impact views. Context-scoped so no other page's text changes.
_ALERTS: dict[str, str] = {
    "Alerts": "预警", "Show": "显示", "All alerts": "全部预警", "Alarms only": "仅报警",
    "Acknowledge…": "确认…", "Acknowledge alert": "确认预警", "Note:": "备注：",
    "Funnel plot": "漏斗图", "CUSUM": "CUSUM 控制图",
    "Funnel plot: {0} by {1}, {2} ({3})": "漏斗图：{0}（按{1}），{2}（{3}）",
    "CUSUM: {0} = {1}": "CUSUM：{0} = {1}",
    "Save a workspace to keep the alert history": "保存工作区后才能保留预警记录",
    "Policies of the selected segment in the flagged months (personal data left out)":
        "所选分群在预警月份的保单（不含个人信息）",
    "Segments outside their funnel limits (95 % alert, 99.8 % alarm, adjusted when the segments "
    "are overdispersed) or with a risk-adjusted CUSUM signal over monthly cohorts.":
        "超出漏斗图控制限（95% 预警、99.8% 报警，分群过度离散时调整）或按月度队列的风险调整 CUSUM "
        "发出信号的分群。",
    "alarm": "报警", "alert": "预警", "new": "新增", "ongoing": "持续", "resolved": "已解除",
    "Metric": "指标", "All metrics": "全部指标", "Level": "级别", "Status": "状态",
    "Segment": "分群", "Value": "实际值", "Expected": "预期值", "Lower limit": "下控制限",
    "Upper limit": "上控制限", "Denominator": "分母", "Since": "起始月", "Method": "方法",
    "Note": "备注",
}
_DICTIONARY: dict[str, str] = {
    "(choose a column)": "（选择字段）", "Comparing…": "正在比较…", "Definition": "定义",
    "Depends on {0}": "依赖 {0} 的内容", "Impact": "影响分析",
    "Impact of the last reload": "上次重新加载的影响", "Lineage graph": "血缘图",
    "Lineage of column:": "字段血缘：", "Lineage of {0}": "{0} 的血缘",
    "No column or vocabulary change.": "字段与取值均无变化。",
    "Reload data with a different data model to compare.": "以不同数据模型重新加载数据后可进行比较。",
}
BY_CONTEXT.update({("AlertsPage", k): v for k, v in _ALERTS.items()})
BY_CONTEXT.update({("DictionaryPage", k): v for k, v in _DICTIONARY.items()})
BY_CONTEXT.update({
    ("CockpitPage", "⚠ Alarm in a segment"): "⚠ 有分群报警",
    ("CockpitPage", "Alarm (see the Alerts page): {0}"): "报警（见预警页）：{0}",
})
ZH.update({"Denominator": "分母", "Expected": "预期", "Observed": "实际"})

# ---- issue 17 and the pages' newer controls (table menus, study start, tests, bases…) --------
ZH.update({
    "Computing {0}…": "正在计算{0}…",
    "CUSUM": "CUSUM 统计量",
    "Copy": "复制",
    "Copy with headers": "连同表头复制",
    "Export CSV…": "导出 CSV…",
    "Export XLSX…": "导出 XLSX…",
    "Select all": "全选",
    "CSV file (*.csv)": "CSV 文件 (*.csv)",
    "Excel workbook (*.xlsx)": "Excel 工作簿 (*.xlsx)",
    "Export table": "导出表格",
    "{0}: {1:,} accepted, {2:,} rejected": "{0}：接受 {1:,} 行，拒绝 {2:,} 行",
    "Connect to database": "连接数据库",
    "optional: policies=SCHEMA.TABLE, members=SCHEMA.TABLE":
        "可选：policies=模式.表名, members=模式.表名",
    "Passwords come from PGPASSWORD or ~/.pgpass, never from the URL.":
        "密码取自 PGPASSWORD 或 ~/.pgpass，不从 URL 读取。",
    "Database &URL": "数据库 URL(&U)",  # Connect to database…
    "&Tables": "数据表(&T)",
    "Connect": "连接",
    "Cancel query": "取消查询",
    "Connecting": "正在连接",
    "Connecting to {0}…": "正在连接 {0}…",
    "Cancelled.": "已取消。",
    "Could not connect: {0}": "无法连接：{0}",
    "Incidence at 1/2/3/5 years": "第 1/2/3/5 年累积发生率",
    "Gray's test": "Gray 检验",
    "Choose a segment with two or more groups to compare their cumulative incidence (Gray's "
    "test; not available with a study start).":
        "请选择含两个及以上分组的分组字段，以比较各组累积发生率（Gray 检验；设置研究起始日时不可用）。",
    "Strata:": "分层：",
    "Each level gets its own baseline hazard (R strata())": "每个水平有各自的基准风险（R strata()）",
    "Robust SE by:": "稳健标准误聚类：",
    "Policies of one member are not independent: robust (sandwich) standard errors, used for "
    "CIs and p-values": "同一会员的多张保单并不独立：采用稳健（三明治）标准误计算置信区间和 p 值",
    "PH test time:": "比例风险检验时间：",
    "Kaplan-Meier (R default)": "Kaplan-Meier（R 默认）",
    "A column cannot be both a covariate and the strata.": "同一字段不能既是协变量又是分层字段。",
    "{n:,} policies, {e:,} lapses. Concordance {c:.3f}. Likelihood-ratio test p = {p:.3g}.":
        "{n:,} 件保单，{e:,} 件失效。一致性指数 {c:.3f}。似然比检验 p = {p:.3g}。",
    "Reference levels: {refs}": "参照水平：{refs}",
    "Strata: {s} (concordance within strata)": "分层：{s}（一致性指数按层内计算）",
    "Robust SE clustered by {c}: CIs and p-values use it": "按{c}聚类的稳健标准误：置信区间和 p 值据此计算",
    "Proportional hazards: R cox.zph exact test, {t} time transform; global p = {p:.3g}":
        "比例风险假设：R cox.zph 精确检验，时间变换 {t}；整体 p = {p:.3g}",
    "Not in these data (kept for other files): {0}": "当前数据中没有（为其他文件保留）：{0}",
    "Weighted by:": "加权依据：",
    "annual premium": "年化保费",
    "sum assured": "保额",
    "Total: exposure {e:,.2f} periods, actual {a:,.0f}, rate per period {r:.2%}{ae}":
        "合计：暴露数 {e:,.2f} 期，实际 {a:,.0f}，每期实际发生率 {r:.2%}{ae}",
    "Policy quarter": "保单季度",
    "Policy month": "保单月度",
    "Policy week": "保单周",
    "Calendar date": "日历日期",
    "{what} by {period} (95% CI)": "按{period}的{what}（95% 置信区间）",
    "Total weighted by {w}: exposure {e:,.2f}, actual {a:,.2f} ({n:,} terminations), rate {r:.2%}{ae}":
        "按{w}加权合计：暴露数 {e:,.2f}，实际 {a:,.2f}（{n:,} 件终止），实际发生率 {r:.2%}{ae}",
    "Text files are decoded over their whole length; when the detected encoding is wrong or a "
    "file is refused, choose its encoding here.":
        "文本文件按全文解码；若检测到的编码有误或文件被拒绝读取，请在此选择其编码。",
    "Text encoding:": "文本编码：",
    "Detect automatically": "自动检测",
    "Chinese (GB18030 / GBK)": "简体中文（GB18030 / GBK）",
    "Western European (Windows-1252)": "西欧（Windows-1252）",
    "Latin-1 (ISO-8859-1)": "西欧 Latin-1（ISO-8859-1）",
    "Traditional Chinese (Big5)": "繁体中文（Big5）",
    "Cells holding one of these words (any case), or nothing but spaces, are missing values in "
    "every column.": "单元格内容为以下任一词语（不区分大小写）或仅含空格时，在所有列中均视为缺失值。",
    "Missing values:": "缺失值：",
    "Read hidden workbook sheets too": "同时读取工作簿中的隐藏工作表",
    "Study start (delayed entry): survival statistics observe policies from this date; policies "
    "issued before it enter at their duration on that date, those ended before it are out of the "
    "window. Default: from issue.":
        "研究起始日（延迟进入）：生存统计自该日起观察保单；此前承保的保单以该日的已持续时长进入，"
        "此前已终止的保单不在观察窗口内。默认：自生效日起。",
    "Study from": "研究起始",
    "As of {0} is after the last date in the data ({1}): figures are as of {1}.":
        "评估日 {0} 晚于数据中的最新日期（{1}）：指标按 {1} 计算。",
    "Collected basis: premium collected for that month within the grace period ÷ premium due in "
    "month 1; claims and premium waivers are excluded too.":
        "实收口径：该保单月在宽限期内实收的保费 ÷ 首期应缴保费；理赔及豁免保费的保单同样剔除。",
    "Exclusions (latest period):": "剔除项（最近一期）：",
    "Reconciliation": "口径核对",
    "The collected basis needs a premium payments table (缴费记录: policy_id, due_date, "
    "paid_date, amount). Load one, or choose the status basis.":
        "实收口径需要缴费记录数据（缴费记录：policy_id、due_date、paid_date、amount）。请加载该数据，或选择状态口径。",
    "Choose the collected basis to reconcile collected premium with the status basis, "
    "Kaplan-Meier and the experience study.":
        "选择实收口径，可将实收保费与状态口径、Kaplan-Meier 及经验分析进行核对。",
    "Cohort of {p}: {n} policies, grace period {g} days. Differences: policies in force but not "
    "collected, grace-period cures, late and partial payers.":
        "{p} 队列：{n} 件保单，宽限期 {g} 天。差异来源：有效但未实收的保单、宽限期内补缴、逾期及部分缴费。",
    "Test:": "检验方法：",
    "Log-rank": "对数秩检验",
    "Wilcoxon (Gehan-Breslow)": "Wilcoxon 检验（Gehan-Breslow）",
    "Tarone-Ware": "Tarone-Ware 检验",
    "Peto-Peto": "Peto-Peto 检验",
    "Fleming-Harrington (1, 0)": "Fleming-Harrington 检验 (1, 0)",
    "Fleming-Harrington (0, 1)": "Fleming-Harrington 检验 (0, 1)",
    "{test} test (χ² = {x:.1f}, {df} df)": "{test}（χ² = {x:.1f}，自由度 {df}）",
    "Connect to &database…": "连接数据库(&D)…",
    "Connect to database…": "连接数据库…",  # the Data page's button
    "Open a book kept in DuckDB, PostgreSQL or Spark (File ▸ Connect to database…)":
        "打开存放在 DuckDB、PostgreSQL 或 Spark 中的数据（文件 ▸ 连接数据库…）",
    "Replace the loaded data?": "替换已加载的数据？",
    "The data you open replace the data loaded now. Save the current data sources, filters and "
    "page as a workspace first?": "打开的数据将替换当前已加载的数据。是否先将当前数据来源、筛选条件和页面保存为工作区？",
    "The data you open replace the data loaded now ({0}).": "打开的数据将替换当前已加载的数据（{0}）。",
    "loaded data": "已加载的数据",
    "The report": "报告",
})
BY_CONTEXT.update({
    ("DriversPage", "None"): "无",
    ("DriversPage", "rank"): "秩",
    ("DriversPage", "identity"): "恒等",
    ("DriversPage", "log"): "对数",
    ("ExperiencePage", "week"): "周",
    ("FilterBar", "issue"): "生效日",
    ("PersistencyPage", "in force"): "有效状态",
    ("PersistencyPage", "collected"): "实收",
})

# ---- Analysis ▸ Assumptions… and Compare with… (issue 17 C.17, C.18) -------------------------
_ASSUMPTIONS: dict[str, str] = {
    "Assumptions": "分析假设",
    " days": " 天",
    "most frequent level (e.g. channel = agency)": "最常见水平（例如 channel = agency）",
    "&Free-look period:": "犹豫期(&F)：",
    "&Grace period:": "宽限期(&G)：",
    "Credibility &probability p:": "可信度概率 p(&P)：",
    "Credibility &tolerance r:": "可信度容许误差 r(&T)：",
    "&Confidence level:": "置信水平(&C)：",
    "&Age band cut-offs (years):": "年龄分段界限（岁）(&A)：",
    "Pre&mium band cut-offs:": "保费分段界限(&M)：",
    "&Duration band cut-offs (months):": "保单年度分段界限（月）(&D)：",
    "Cox &reference levels:": "Cox 模型参照水平(&R)：",
    "&Restore defaults": "恢复默认值(&R)",
    "age bands": "年龄分段",
    "premium bands": "保费分段",
    "duration bands": "保单年度分段",
    "&Analysis": "分析(&A)",
    "A&ssumptions…": "分析假设(&S)…",
}
_COMPARE: dict[str, str] = {
    "Policies": "保单数（件）",
    "Lapses and surrenders": "失效及退保数",
    "Median lifetime (months)": "保单存续中位数（月）",
    "Retention at 1 year": "1年留存率",
    "Retention at 2 years": "2年留存率",
    "Retention at 3 years": "3年留存率",
    "Retention at 5 years": "5年留存率",
    "Persistency (premium)": "继续率（保费）",
    "Persistency (count)": "继续率（件数）",
    "Cohort (policies)": "队列保单数（件）",
    "not reached": "未达到",
    "Current ({0})": "当前（{0}）",
    "Reference ({0})": "对比基准（{0}）",
    "Change": "变化",
    "Figure": "指标",
    "All": "全部",
    "Comparing": "对比计算",
    "Compare &with…": "对比(&W)…",
    "another as-of date": "另一评估日",
    "pinned filters": "固定的筛选条件",
    "&Pin current filters": "固定当前筛选条件(&P)",
    "Keep the filters now in force as the reference; then change the filters to compare":
        "将当前筛选条件固定为对比基准；然后修改筛选条件进行对比",
    "Choose the reference: set the filters, press “Pin current filters”, then change the filters.":
        "请选择对比基准：设置筛选条件，点击“固定当前筛选条件”，再修改筛选条件。",
    "current filters": "当前筛选条件",
    "Computing the comparison…": "正在计算对比…",
    "The comparison could not be computed: {0}": "无法计算对比：{0}",
    "What changed: current view (as of {0}) against the reference (as of {1}); change = current − "
    "reference.": "变化情况：当前视图（评估日 {0}）对比基准（评估日 {1}）；变化 = 当前 − 基准。",
    "none": "无",
    "Pinned filters: {0}.": "固定的筛选条件：{0}。",
}
BY_CONTEXT.update({("AssumptionsDialog", k): v for k, v in _ASSUMPTIONS.items()})
BY_CONTEXT.update({("ComparePanel", k): v for k, v in _COMPARE.items()})
BY_CONTEXT.update({("AssumptionsDialog", k): v for k, v in {
    "CI {0:g}%": "置信水平 {0:g}%",
    "free look {0} d": "犹豫期 {0} 天",
    "grace {0} d": "宽限期 {0} 天",
    "credibility p={0:g}, r={1:g}": "可信度 p={0:g}，r={1:g}",
    "own bands": "自定义分段",
    "reference levels {0}": "参照水平 {0}",
    "Assumptions: {0}": "分析假设：{0}",
}.items()})
ZH.update({
    "beyond follow-up (last time observed: {t:.1f} months)": "超出随访期（最后观察时间：{t:.1f} 个月）",
    "beyond follow-up (last time observed: {t:.1f} days)": "超出随访期（最后观察时间：{t:.1f} 天）",
})
BY_CONTEXT.update({
    ("ConnectDialog", "Passwords come from PGPASSWORD or ~/.pgpass, or are asked for when needed; "
     "never from the URL, never saved."):
        "密码取自 PGPASSWORD 或 ~/.pgpass，需要时再询问；不从 URL 读取，也从不保存。",
    ("ConnectDialog", "Database password"): "数据库密码",
    ("ConnectDialog", "The server asks for a password for {0}.\nIt is kept for this session only, "
     "never saved."): "服务器要求输入 {0} 的密码。\n密码只保留在本次会话中，从不保存。",
    ("RetentionPage", "Top 6 + Other"): "前 6 组 + 其他",
    ("RetentionPage", "Chart the six largest groups and one curve for all other groups' policies "
     "pooled (a Kaplan-Meier curve of their records, not an average). The tables keep every "
     "group."): "图中显示保单数最多的六个分组，其余分组的保单合并为一条曲线（按合并记录计算的"
                "卡普兰-迈耶曲线，不是各曲线的平均）。下方表格保留全部分组。",
    ("RetentionPage", "Other ({n} groups)"): "其他（{n} 组）",
    ("RetentionPage", "Other: {groups}"): "其他：{groups}",
    ("ShellActions", "Note: {0}."): "注意：{0}。",
})
# progress lines: memberdesk/core/status_lines.py (Qt-free, shared with the commands)
# issue 13, session 5: saving a book from the app, the Connect dialog's mapping editor
ZH.update({
    "Save data as DuckDB &book…": "将数据另存为 DuckDB 数据库(&B)…",
    "Load data first": "请先加载数据",
    "Save data as DuckDB book": "将数据另存为 DuckDB 数据库",
    "DuckDB book (*.duckdb)": "DuckDB 数据库 (*.duckdb)",
    "Replace the file?": "替换该文件？",
    "Book written to {0}. Open it with File ▸ Connect to database… ({1}): it opens "
    "without checking the rows again.":
        "数据库已写入 {0}。可通过“文件 ▸ 连接数据库…”打开（{1}），打开时无需再次校验数据行。",
    "Checking the rows took {0} s. File ▸ Save data as DuckDB book… checks them once: the saved "
    "book opens without this check.":
        "校验数据行用时 {0} 秒。“文件 ▸ 将数据另存为 DuckDB 数据库…”只需校验一次：另存的数据库打开时无需再次校验。",
    "C&olumns…": "列映射(&O)…",
    "Which table each database table holds and what each column means: the same mapping editor "
    "as for files": "每个数据库表对应哪张表、每列表示什么：与文件相同的列映射编辑器",
    "Reading the columns of {0}…": "正在读取 {0} 的列…",
    "Columns set for {0} tables: Connect reads them so.": "已为 {0} 张表设置列映射：连接时按此读取。",
    "Columns of the database tables": "数据库表的列",
    "Tables not recognised are not read unless you choose what they hold. The choices apply when "
    "you connect, and are remembered for tables and files with the same columns.":
        "未识别的表不会被读取，除非您选择其内容。所做的选择在连接时生效，并会记住，用于列相同的表和文件。",
})
