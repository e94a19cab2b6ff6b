# Golden values for src/learnsurvey/stats/meta.py (random_effects, empirical_bayes).
#
# Run from the repository root (a dev tool only; the Python tests read the JSON and never R):
#
#     Rscript tests/golden/meta_dl.R
#
# Needs metafor and jsonlite (Debian: apt-get install -y r-cran-metafor r-cran-jsonlite).
# Writes tests/golden/meta_dl.json holding the estimates and variances themselves, so the
# tests need neither R nor the data sets:
#
# * bcg: metafor's dat.bcg (BCG vaccine trials), log risk ratios from escalc("RR");
# * gaps: twelve made-up perception gaps (staff minus pupils) with their squared Welch SEs;
# * homogeneous: five estimates closer together than their SEs allow (tau2 = 0).
#
# For each: rma(yi, vi, method = "DL") -> mu (beta), se, tau2, QE, k; and blup()$pred.

suppressPackageStartupMessages({
  library(metafor)
  library(jsonlite)
})

fit_case <- function(yi, vi) {
  fit <- rma(yi, vi, method = "DL")
  list(
    yi = as.numeric(yi), vi = as.numeric(vi),
    mu = as.numeric(fit$beta), se = as.numeric(fit$se), tau2 = fit$tau2,
    q = fit$QE, k = fit$k, blup = as.numeric(blup(fit)$pred)
  )
}

bcg <- escalc(measure = "RR", ai = tpos, bi = tneg, ci = cpos, di = cneg, data = dat.bcg)
gaps_y <- c(0.42, 0.10, 0.65, 0.31, -0.05, 0.28, 0.51, 0.19, 0.74, 0.22, 0.36, 0.03)
gaps_se <- c(0.15, 0.22, 0.18, 0.12, 0.25, 0.16, 0.20, 0.14, 0.30, 0.11, 0.17, 0.21)
homog_y <- c(0.30, 0.32, 0.29, 0.31, 0.30)
homog_v <- c(0.04, 0.05, 0.03, 0.06, 0.04)

out <- list(
  metafor = as.character(packageVersion("metafor")),
  cases = list(
    bcg = fit_case(bcg$yi, bcg$vi),
    gaps = fit_case(gaps_y, gaps_se^2),
    homogeneous = fit_case(homog_y, homog_v)
  )
)
write_json(out, "tests/golden/meta_dl.json", digits = NA, auto_unbox = TRUE, pretty = TRUE)
