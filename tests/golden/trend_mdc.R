# Golden values for src/learnsurvey/stats/trend.py (weighted_trend, minimal_detectable_change).
#
# Run from the repository root (a dev tool only; the Python tests read the JSON and never R):
#
#     Rscript tests/golden/trend_mdc.R
#
# Needs metafor (with its data package metadat) and jsonlite (Debian: apt-get install -y
# r-cran-metafor r-cran-jsonlite).
# Writes tests/golden/trend_mdc.json holding the inputs themselves, so the tests need
# neither R nor the data sets:
#
# * weighted_trend: metafor::rma(yi, sei = sei, mods = ~ x, method = "FE") — the fixed-effect
#   meta-regression (slope, its SE and z-based 95% and 90% CIs, intercept and its SE, QE and
#   its df) — and stats::lm(yi ~ x, weights = 1 / sei^2) for the same point estimates, on
#   - dat.bcg (BCG vaccine trials, Colditz et al. 1994; package metadat, which metafor
#     loads): log risk ratios from escalc(measure = "RR"), moderated by absolute latitude
#     (ablat) and by year;
#   - dat.molloy2014 (conscientiousness and medication adherence, metadat): Fisher's z
#     from escalc(measure = "ZCOR"), moderated by mean age;
#   - a small synthetic series of one school's wave means (x = 0, 1, 3, 4: the school
#     missed wave 2), as the analysis hands them over.
# * minimal_detectable_change: (qnorm(1 - alpha / 2) + qnorm(power)) * sqrt(se_a^2 + se_b^2)
#   on a grid of SEs, levels and powers, and the power of the two-sided z-test at the MDC
#   ignoring the far tail, pnorm(mdc / se - qnorm(1 - alpha / 2)), which must equal power.

suppressPackageStartupMessages({
  library(metafor)
  library(jsonlite)
})

out_path <- file.path("tests", "golden", "trend_mdc.json")

fe_trend <- function(yi, sei, x) {
  d <- data.frame(yi = as.numeric(yi), sei = as.numeric(sei), x = as.numeric(x))
  fit <- rma(yi, sei = sei, mods = ~ x, data = d, method = "FE")
  fit90 <- rma(yi, sei = sei, mods = ~ x, data = d, method = "FE", level = 90)
  ols <- lm(yi ~ x, data = d, weights = 1 / sei^2)
  list(
    x = x,
    yi = as.numeric(yi),
    sei = as.numeric(sei),
    slope = unname(coef(fit)[2]),
    se = unname(fit$se[2]),
    ci_low = unname(fit$ci.lb[2]),
    ci_high = unname(fit$ci.ub[2]),
    ci90_low = unname(fit90$ci.lb[2]),
    ci90_high = unname(fit90$ci.ub[2]),
    intercept = unname(coef(fit)[1]),
    intercept_se = unname(fit$se[1]),
    q = unname(fit$QE),
    df = unname(fit$k - fit$p),
    lm_slope = unname(coef(ols)[2]),
    lm_intercept = unname(coef(ols)[1])
  )
}

data(dat.bcg, package = "metadat")
bcg <- escalc(measure = "RR", ai = tpos, bi = tneg, ci = cpos, di = cneg, data = dat.bcg)
data(dat.molloy2014, package = "metadat")
molloy <- escalc(measure = "ZCOR", ri = ri, ni = ni, data = dat.molloy2014)
molloy <- molloy[!is.na(molloy$meanage), ]

# Wave means of one school's score (x = the wave's position), wave 2 missing.
waves <- list(
  x = c(0, 1, 3, 4),
  yi = c(3.41, 3.47, 3.62, 3.58),
  sei = c(0.052, 0.061, 0.048, 0.071)
)

trends <- list(
  bcg_ablat = fe_trend(bcg$yi, sqrt(bcg$vi), dat.bcg$ablat),
  bcg_year = fe_trend(bcg$yi, sqrt(bcg$vi), dat.bcg$year),
  molloy_age = fe_trend(molloy$yi, sqrt(molloy$vi), molloy$meanage),
  waves = fe_trend(waves$yi, waves$sei, waves$x)
)

grid <- expand.grid(
  se_a = c(0.02, 0.05, 0.11),
  se_b = c(0.0, 0.04, 0.09),
  alpha = c(0.05, 0.01),
  power = c(0.8, 0.9)
)
se <- sqrt(grid$se_a^2 + grid$se_b^2)
grid$mdc <- (qnorm(1 - grid$alpha / 2) + qnorm(grid$power)) * se
grid$power_at_mdc <- pnorm(grid$mdc / se - qnorm(1 - grid$alpha / 2))

golden <- list(
  r_version = R.version.string,
  metafor_version = as.character(packageVersion("metafor")),
  trends = trends,
  mdc = as.list(grid)
)

writeLines(toJSON(golden, digits = NA, auto_unbox = TRUE, pretty = TRUE), out_path)
cat("wrote", out_path, "\n")
