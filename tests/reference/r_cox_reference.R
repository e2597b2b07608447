# Reference values for MemberDesk's Cox model (issues 10 and 16), from R's survival package.
#
# Run from the repository root:  Rscript tests/reference/r_cox_reference.R
# Writes tests/reference/data/cox_*.csv (R's bundled datasets, the columns used, written by
# write.csv so missing values are R's own "NA" token) and tests/reference/r_cox_reference.json.
# Tests compare memberdesk.analysis.cox.fit_cox and `memberdesk cox --json` to the JSON, so CI
# needs no R. Covariate names follow MemberDesk: a factor's dummies are "column=level" against
# MemberDesk's reference level (the most frequent one), set here with relevel().
suppressPackageStartupMessages({library(survival); library(jsonlite)})

out_dir <- "tests/reference/data"
dir.create(out_dir, showWarnings = FALSE, recursive = TRUE)
write_data <- function(df, name) {
  name <- paste0("cox_", name)  # tests/reference/data is shared with the KM reference (km_*)
  write.csv(df, file.path(out_dir, name), row.names = FALSE)
  name
}

# ---- datasets (only the columns the models use) ------------------------------------------
lung_df <- with(survival::lung, data.frame(
  time = time, event = status - 1L, age = age, sex = sex, ph_ecog = ph.ecog,
  # a deterministic delayed entry (no random numbers): a fraction 0..0.6 of the exit time
  entry = round(time * ((seq_along(time) %% 7) / 10))))
veteran_df <- with(survival::veteran, data.frame(
  time = time, status = status, trt = trt, karno = karno, age = age, prior = prior,
  celltype = relevel(celltype, ref = "smallcell")))
rott_df <- with(survival::rotterdam, data.frame(
  rtime = rtime, recur = recur, age = age, meno = meno, nodes = nodes, hormon = hormon,
  chemo = chemo, er = er, pgr = pgr))
colon_df <- with(survival::colon, data.frame(
  id = id, time = time, status = status, etype = etype, rx = as.character(rx), sex = sex,
  age = age, nodes = nodes, obstruct = obstruct, differ = differ))
colon_death <- colon_df[colon_df$etype == 2, ]
pbc_df <- with(survival::pbc, data.frame(
  time = time, event = as.integer(status == 2), age = age, edema = edema,
  log_bili = log(bili), albumin = albumin, protime = protime))
heart_df <- with(survival::heart, data.frame(
  id = id, start = start, stop = stop, event = event, age = age, year = year,
  surgery = surgery, transplant = as.integer(as.character(transplant))))

files <- list(lung = write_data(lung_df, "lung.csv"),
              veteran = write_data(veteran_df, "veteran.csv"),
              rotterdam = write_data(rott_df, "rotterdam.csv"),
              colon = write_data(colon_df, "colon.csv"),
              colon_death = write_data(colon_death, "colon_death.csv"),
              pbc = write_data(pbc_df, "pbc.csv"),
              heart = write_data(heart_df, "heart.csv"))

# ---- one model -> JSON ---------------------------------------------------------------------
rename_coef <- function(nm, factors) {
  for (f in factors) {
    hit <- startsWith(nm, f)
    nm[hit] <- paste0(f, "=", substring(nm[hit], nchar(f) + 1))
  }
  nm
}

zph_rows <- function(fit, transform) {
  z <- cox.zph(fit, transform = transform)$table
  lapply(seq_len(nrow(z)), function(i) list(
    covariate = if (rownames(z)[i] == "GLOBAL") "global" else rownames(z)[i],
    statistic = unname(z[i, "chisq"]), df = as.integer(z[i, "df"]), p_value = unname(z[i, "p"])))
}

model <- function(name, data, file, duration, event, covariates, entry = NULL, strata = NULL,
                  cluster = NULL, ties = "efron", factors = character()) {
  lhs <- if (is.null(entry)) sprintf("Surv(%s, %s)", duration, event) else
    sprintf("Surv(%s, %s, %s)", entry, duration, event)
  rhs <- paste(covariates, collapse = " + ")
  if (!is.null(strata)) rhs <- paste0(rhs, " + strata(", paste(strata, collapse = ", "), ")")
  form <- as.formula(paste(lhs, "~", rhs))
  # converged to round-off (R's default eps = 1e-9 leaves ~1e-9 in beta, ~1e-6 in a small
  # cox.zph p-value): the reference is the maximum itself
  ctl <- coxph.control(eps = 1e-14, toler.chol = 1e-15, iter.max = 100)
  fit <- if (is.null(cluster)) coxph(form, data = data, ties = ties, control = ctl) else
    eval(substitute(coxph(form, data = data, ties = ties, cluster = CL, control = ctl),
                    list(CL = as.name(cluster))))
  coef_names <- rename_coef(names(coef(fit)), factors)
  naive_se <- sqrt(diag(if (is.null(cluster)) fit$var else fit$naive.var))
  robust_se <- if (is.null(cluster)) NULL else sqrt(diag(fit$var))
  list(
    name = name, data = file, duration = duration, event = event, entry = entry,
    covariates = I(covariates), strata = if (is.null(strata)) list() else I(strata),
    cluster = cluster, ties = ties,
    n = fit$n, events = fit$nevent,
    coef = as.list(setNames(unname(coef(fit)), coef_names)),
    se = as.list(setNames(unname(naive_se), coef_names)),
    robust_se = if (is.null(robust_se)) NULL else as.list(setNames(unname(robust_se), coef_names)),
    loglik = unname(fit$loglik[2]), loglik_null = unname(fit$loglik[1]),
    concordance = unname(fit$concordance["concordance"]),
    zph = setNames(lapply(c("km", "rank", "identity", "log"), function(t) zph_rows(fit, t)),
                   c("km", "rank", "identity", "log")))
}

models <- list(
  model("lung_ecog", lung_df, files$lung, "time", "event", c("age", "sex", "ph_ecog")),
  model("lung_ecog_breslow", lung_df, files$lung, "time", "event", c("age", "sex", "ph_ecog"),
        ties = "breslow"),
  model("lung_strata_sex", lung_df, files$lung, "time", "event", c("age", "ph_ecog"),
        strata = "sex"),
  model("lung_entry", lung_df, files$lung, "time", "event", c("age", "sex", "ph_ecog"),
        entry = "entry"),
  model("veteran", veteran_df, files$veteran, "time", "status",
        c("trt", "karno", "age", "prior", "celltype"), factors = "celltype"),
  model("veteran_breslow", veteran_df, files$veteran, "time", "status",
        c("trt", "karno", "age", "celltype"), ties = "breslow", factors = "celltype"),
  model("rotterdam", rott_df, files$rotterdam, "rtime", "recur",
        c("age", "meno", "nodes", "hormon", "chemo", "er", "pgr")),
  model("colon_strata_rx", colon_death, files$colon_death, "time", "status",
        c("sex", "age", "nodes", "obstruct"), strata = "rx"),
  model("colon_strata_rx_differ", colon_death, files$colon_death, "time", "status",
        c("sex", "age", "nodes", "obstruct"), strata = c("rx", "differ")),
  model("colon_cluster", colon_df, files$colon, "time", "status",
        c("age", "nodes", "obstruct"), strata = "etype", cluster = "id"),
  model("pbc", pbc_df, files$pbc, "time", "event",
        c("age", "edema", "log_bili", "albumin", "protime")),
  model("heart_entry_cluster", heart_df, files$heart, "stop", "event",
        c("age", "year", "surgery", "transplant"), entry = "start", cluster = "id"),
  model("heart_entry_breslow", heart_df, files$heart, "stop", "event",
        c("age", "year", "surgery", "transplant"), entry = "start", ties = "breslow")
)
names(models) <- vapply(models, function(m) m$name, "")

write_json(list(generated_by = "tests/reference/r_cox_reference.R",
                r_version = R.version.string,
                survival_version = as.character(packageVersion("survival")),
                models = models),
           "tests/reference/r_cox_reference.json", auto_unbox = TRUE, digits = NA,
           pretty = TRUE, null = "null", na = "null")
