# Reference values for MemberDesk's Kaplan-Meier, quantiles, tests between groups, delayed
# entry and Gray's test, computed by R (survival, cmprsk) on R's bundled datasets.
#
#   Rscript tests/reference/r_km_reference.R      (from the repository root)
#
# Writes tests/reference/r_km_reference.json and the inputs it used as
# tests/reference/data/km_*.csv, so the tests need neither R nor this script.
# Made with R 4.2.2, survival 3.5-3, cmprsk 2.2-11, jsonlite (versions recorded in the JSON).
#
# Conventions asked of R so that they are MemberDesk's: conf.type = "log-log" (R's default is
# "log"); events: lung/veteran/colon status as documented, pbc death = status 2.
# The weighted tests other than survdiff's rho family (Gehan-Breslow Wilcoxon, Tarone-Ware,
# Peto-Peto, Fleming-Harrington P,Q) have no function in these packages: `weighted_test` below
# writes out SAS PROC LIFETEST's documented formulas (weights table of "Nonparametric Tests")
# one time point at a time; it is checked here against survdiff for rho = 0 and rho = 1.
suppressPackageStartupMessages({library(survival); library(cmprsk); library(jsonlite)})

out_dir <- "tests/reference"
dat_dir <- file.path(out_dir, "data")
dir.create(dat_dir, showWarnings = FALSE, recursive = TRUE)
write_data <- function(df, name) {
  write.csv(df, file.path(dat_dir, paste0("km_", name, ".csv")), row.names = FALSE, na = "")
}

# ---- inputs ----------------------------------------------------------------------------------
lung_d <- data.frame(time = lung$time, event = as.integer(lung$status == 2), sex = lung$sex,
                     ph_ecog = lung$ph.ecog)
pbc_d <- data.frame(time = pbc$time, status = pbc$status, event = as.integer(pbc$status == 2),
                    edema = pbc$edema, sex = as.character(pbc$sex), trt = pbc$trt)
colon_d <- subset(colon, etype == 2)
colon_d <- data.frame(time = colon_d$time, event = colon_d$status, rx = as.character(colon_d$rx))
vet_d <- data.frame(time = veteran$time, event = veteran$status, trt = veteran$trt,
                    celltype = as.character(veteran$celltype))
# exactly 0.5: 4 subjects, events at 1 and 3 with a censoring at 2 -> S = 3/4, 3/4, 3/8...
# and a curve sitting on 1/2 between 2 and 5: 6 subjects, deaths at 1, 2, 3 (S = 1/2 at 3),
# censored at 4, death at 5 and 6
half_d <- data.frame(time = c(1, 2, 3, 4, 5, 6, 1, 2, 3, 4),
                     event = c(1, 1, 1, 0, 1, 1, 1, 0, 1, 1),
                     g = c(rep("a", 6), rep("b", 4)))
# delayed entry: veteran survival times with entry times from a fixed rule (every third
# patient entered at 40% of their time, rounded down; others at 0)
idx <- seq_len(nrow(vet_d))
vet_trunc <- data.frame(entry = ifelse(idx %% 3 == 0, floor(vet_d$time * 0.4), 0),
                        exit = vet_d$time, event = vet_d$event, trt = vet_d$trt,
                        cause = ifelse(vet_d$event == 0, "censored",
                                       ifelse(vet_d$celltype %in% c("squamous", "smallcell"),
                                              "lapsed", "death")))
vet_trunc <- subset(vet_trunc, exit > entry)

write_data(lung_d, "lung"); write_data(pbc_d, "pbc"); write_data(colon_d, "colon")
write_data(vet_d, "veteran"); write_data(half_d, "half")
write_data(vet_trunc, "veteran_entry")

# ---- KM curves ---------------------------------------------------------------------------------
curve_json <- function(fit) {
  list(time = fit$time, n_risk = fit$n.risk, n_event = fit$n.event, surv = fit$surv,
       lower = fit$lower, upper = fit$upper)
}
quant_json <- function(fit, probs = c(0.25, 0.5, 0.75)) {
  q <- quantile(fit, probs = probs)
  list(probs = probs, quantile = unname(q$quantile), lower = unname(q$lower),
       upper = unname(q$upper))
}
km_groups <- function(formula, data) {
  groups <- list()
  fit <- survfit(formula, data = data, conf.type = "log-log")
  if (is.null(fit$strata)) {
    return(list(all = c(curve_json(fit), list(quantiles = quant_json(fit)))))
  }
  labels <- sub("^[^=]*=", "", names(fit$strata))
  for (i in seq_along(labels)) {
    f <- fit[i]
    groups[[labels[i]]] <- c(curve_json(f), list(quantiles = quant_json(f)))
  }
  groups
}

# ---- weighted log-rank family (SAS formulas, hand-written; see header) -------------------------
weighted_test <- function(time, event, group, weight, entry = NULL) {
  g <- as.character(group); lev <- sort(unique(g)); k <- length(lev)
  if (is.null(entry)) entry <- rep(-Inf, length(time))
  times <- sort(unique(time[event == 1]))
  # pooled product-limit and Peto's S~ before each time
  z <- numeric(k); v <- matrix(0, k, k); s_km <- 1; s_peto <- 1
  all_times <- sort(unique(time))
  for (t in all_times) {
    risk <- time >= t & entry < t
    n <- sum(risk); d <- sum(event == 1 & time == t)
    if (d == 0) next
    nj <- sapply(lev, function(l) sum(risk & g == l))
    dj <- sapply(lev, function(l) sum(event == 1 & time == t & g == l))
    s_peto_t <- s_peto * (1 - d / (n + 1))
    w <- switch(weight$name,
                logrank = 1, wilcoxon = n, tarone = sqrt(n), peto = s_peto_t,
                fh = s_km^weight$p * (1 - s_km)^weight$q)
    z <- z + w * (dj - nj * d / n)
    f <- if (n > 1) (n - d) / (n - 1) else 1
    v <- v + w^2 * f * d * (diag(nj / n, k) - outer(nj / n, nj / n))
    s_km <- s_km * (1 - d / n); s_peto <- s_peto_t
  }
  m <- k - 1
  stat <- as.numeric(t(z[1:m]) %*% solve(v[1:m, 1:m, drop = FALSE]) %*% z[1:m])
  list(statistic = stat, df = m, p_value = pchisq(stat, m, lower.tail = FALSE))
}
tests_for <- function(time, event, group) {
  specs <- list(logrank = list(name = "logrank"), wilcoxon = list(name = "wilcoxon"),
                tarone = list(name = "tarone"), peto = list(name = "peto"),
                "fh:1,0" = list(name = "fh", p = 1, q = 0), "fh:0,1" = list(name = "fh", p = 0, q = 1),
                "fh:1,1" = list(name = "fh", p = 1, q = 1), "fh:0.5,2" = list(name = "fh", p = 0.5, q = 2))
  lapply(specs, function(s) weighted_test(time, event, group, s))
}
survdiff_json <- function(formula, data, rho) {
  sd <- survdiff(formula, data = data, rho = rho)
  df <- sum(sd$n > 0) - 1
  list(statistic = sd$chisq, df = df, p_value = pchisq(sd$chisq, df, lower.tail = FALSE))
}
pairwise_json <- function(time, event, group, rho = 0) {
  lev <- sort(unique(as.character(group[!is.na(group)])))
  rows <- list()
  for (i in 1:(length(lev) - 1)) for (j in (i + 1):length(lev)) {
    keep <- !is.na(group) & group %in% c(lev[i], lev[j])
    sd <- survdiff(Surv(time[keep], event[keep]) ~ group[keep], rho = rho)
    rows[[length(rows) + 1]] <- list(group_a = lev[i], group_b = lev[j], statistic = sd$chisq,
                                     p_value = pchisq(sd$chisq, 1, lower.tail = FALSE))
  }
  p <- sapply(rows, function(r) r$p_value)
  holm <- p.adjust(p, method = "holm")
  for (i in seq_along(rows)) rows[[i]]$p_value_holm <- holm[i]
  rows
}

# self-check of the hand-written tests against survdiff
for (rho in c(0, 1)) {
  a <- survdiff(Surv(time, event) ~ celltype, vet_d, rho = rho)$chisq
  b <- weighted_test(vet_d$time, vet_d$event, vet_d$celltype,
                     list(name = "fh", p = rho, q = 0))$statistic
  stopifnot(abs(a - b) < 1e-9 * max(1, a))
}

# ---- delayed entry -----------------------------------------------------------------------------
trunc_fit <- survfit(Surv(entry, exit, event) ~ trt, data = vet_trunc, conf.type = "log-log")
trunc_all <- survfit(Surv(entry, exit, event) ~ 1, data = vet_trunc, conf.type = "log-log")
trunc_groups <- list()
for (i in seq_along(trunc_fit$strata)) {
  f <- trunc_fit[i]
  trunc_groups[[sub("^[^=]*=", "", names(trunc_fit$strata)[i])]] <-
    c(curve_json(f), list(quantiles = quant_json(f)))
}
na_fit <- survfit(Surv(entry, exit, event) ~ 1, data = vet_trunc, ctype = 1)
trunc_lr <- weighted_test(vet_trunc$exit, vet_trunc$event, vet_trunc$trt, list(name = "logrank"),
                          entry = vet_trunc$entry)
trunc_rmst <- summary(trunc_all, rmean = 300)$table[c("rmean", "se(rmean)")]
# the log-rank under delayed entry equals the Cox score test without ties; ties here are few,
# the hand-written risk sets (entry < t <= exit) are the reference, the Cox score test a check
trunc_cox_score <- coxph(Surv(entry, exit, event) ~ factor(trt), data = vet_trunc,
                         ties = "breslow")$score

# Aalen-Johansen with delayed entry: multi-state survfit, states lapsed / death
vet_trunc$id <- seq_len(nrow(vet_trunc))
ms <- survfit(Surv(entry, exit, factor(cause, c("censored", "lapsed", "death"))) ~ 1,
              data = vet_trunc, id = id)
aj_trunc <- list(time = ms$time, n_risk = ms$n.risk[, 1],
                 lapsed = ms$pstate[, which(ms$states == "lapsed")],
                 death = ms$pstate[, which(ms$states == "death")])

# ---- Gray's test and cumulative incidence (pbc: 1 = transplant, 2 = death) -----------------------
gray <- function(ftime, fstatus, group) {
  ci <- cuminc(ftime, fstatus, group, cencode = 0)
  tests <- ci$Tests
  lapply(rownames(tests), function(cause) list(cause = cause, statistic = unname(tests[cause, "stat"]),
                                              p_value = unname(tests[cause, "pv"]),
                                              df = unname(tests[cause, "df"])))
}
pbc_ci <- cuminc(pbc_d$time, pbc_d$status, cencode = 0)
ci_times <- c(500, 1000, 2000, 3000, 4000)
ci_est <- timepoints(pbc_ci, ci_times)

result <- list(
  versions = list(R = R.version.string, survival = as.character(packageVersion("survival")),
                  cmprsk = as.character(packageVersion("cmprsk"))),
  km = list(
    lung_sex = km_groups(Surv(time, event) ~ sex, lung_d),
    lung_ecog = km_groups(Surv(time, event) ~ ph_ecog, lung_d),
    pbc_edema = km_groups(Surv(time, event) ~ edema, pbc_d),
    colon_rx = km_groups(Surv(time, event) ~ rx, colon_d),
    veteran_celltype = km_groups(Surv(time, event) ~ celltype, vet_d),
    half = km_groups(Surv(time, event) ~ g, half_d),
    lung_all = km_groups(Surv(time, event) ~ 1, lung_d)
  ),
  survdiff = list(
    lung_sex = list(rho0 = survdiff_json(Surv(time, event) ~ sex, lung_d, 0),
                    rho1 = survdiff_json(Surv(time, event) ~ sex, lung_d, 1)),
    lung_ecog = list(rho0 = survdiff_json(Surv(time, event) ~ ph_ecog, lung_d, 0),
                     rho1 = survdiff_json(Surv(time, event) ~ ph_ecog, lung_d, 1),
                     n_dropped = sum(is.na(lung_d$ph_ecog))),
    colon_rx = list(rho0 = survdiff_json(Surv(time, event) ~ rx, colon_d, 0),
                    rho1 = survdiff_json(Surv(time, event) ~ rx, colon_d, 1)),
    veteran_celltype = list(rho0 = survdiff_json(Surv(time, event) ~ celltype, vet_d, 0),
                            rho1 = survdiff_json(Surv(time, event) ~ celltype, vet_d, 1))
  ),
  weighted = list(
    veteran_celltype = tests_for(vet_d$time, vet_d$event, vet_d$celltype),
    colon_rx = tests_for(colon_d$time, colon_d$event, colon_d$rx),
    lung_sex = tests_for(lung_d$time, lung_d$event, lung_d$sex)
  ),
  pairwise = list(
    veteran_celltype_rho0 = pairwise_json(vet_d$time, vet_d$event, vet_d$celltype, 0),
    veteran_celltype_rho1 = pairwise_json(vet_d$time, vet_d$event, vet_d$celltype, 1)
  ),
  delayed_entry = list(
    by_trt = trunc_groups,
    all = c(curve_json(trunc_all), list(quantiles = quant_json(trunc_all))),
    nelson_aalen = list(time = na_fit$time, cumhaz = na_fit$cumhaz),
    logrank = trunc_lr,
    cox_score_breslow = trunc_cox_score,
    rmst_300 = list(rmst = unname(trunc_rmst[1]), se = unname(trunc_rmst[2])),
    aalen_johansen = aj_trunc
  ),
  gray = list(
    pbc_sex = gray(pbc_d$time, pbc_d$status, pbc_d$sex),
    pbc_edema = gray(pbc_d$time, pbc_d$status, pbc_d$edema),
    pbc_cif = list(times = ci_times, transplant = unname(ci_est$est["1 1", ]),
                   death = unname(ci_est$est["1 2", ]))
  )
)
writeLines(toJSON(result, auto_unbox = TRUE, digits = NA, na = "null", pretty = TRUE),
           file.path(out_dir, "r_km_reference.json"))
cat("wrote", file.path(out_dir, "r_km_reference.json"), "\n")
