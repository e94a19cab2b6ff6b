# Golden values for src/learnsurvey/stats/correlation.py, effects.py and multilevel.py.
#
# Run from the repository root (a dev tool only; the Python tests read the JSON and never R):
#
#     Rscript tests/golden/polychoric_effects_multilevel.R
#
# Needs psych, psychTools, mnormt, metafor (Debian: apt-get install -y r-cran-metafor), lme4,
# nlme and jsonlite. Writes tests/golden/polychoric_effects_multilevel.json holding the
# sufficient statistics themselves (pair contingency tables, group summaries), so the tests
# need neither R nor the data sets:
#
# * polychoric: psych::polychoric on psychTools::bfi items (pairwise missing), with its
#   defaults (rho_psych: optimize()'s default tolerance, about 1e-4 in rho) and with the same
#   psych code path re-run at optimize(tol = 1e-10) (rho_tight), for
#   - A1..A5 + C1..C5 (global thresholds), and the same with global = FALSE;
#   - A1..A5 with A1's top category merged into the one below (the items' highest used
#     category differs, so psych switches itself to global = FALSE and the 0.5 correction);
#   - C1..C5 with C2's middle category 3 merged into 2 (an empty category, global);
#   and psych::cor.smooth of a matrix that is not positive definite;
# * hedges_g: metafor::escalc(measure = "SMD") (default vtype = "LS") and summary()'s
#   normal CI on bfi summaries, women (gender 2) vs men (gender 1), plus small groups;
# * multilevel: lme4::lmer(y ~ 1 + (1 | g), REML = TRUE), both with lme4's default optimizer
#   and with the REML criterion minimised tightly by optimize(tol = 1e-12) (the *_tight
#   fields), on nlme::MathAchieve (MathAch by School, 160 unbalanced schools),
#   lme4::sleepstudy (Reaction by Subject, balanced), psych::sat.act (ACT by education,
#   unbalanced, 6 groups) and a simulated singular fit (tau2 = 0), plus one-way ANOVA mean
#   squares and ICC(1) from stats::aov.

suppressPackageStartupMessages({
  library(psych)
  library(psychTools)
  library(metafor)
  library(lme4)
  library(nlme)
  library(jsonlite)
})

out_path <- file.path("tests", "golden", "polychoric_effects_multilevel.json")

unname_matrix <- function(m) {
  m <- unclass(as.matrix(m))
  dimnames(m) <- NULL
  m
}

# ---------------------------------------------------------------------------------------------
# Polychoric correlations
# ---------------------------------------------------------------------------------------------

data(bfi, package = "psychTools")

# tables[i, j, a, b] over pairwise-complete rows, stored flat in row-major (C) order.
pair_tables <- function(x, k) {
  p <- ncol(x)
  arr <- array(0, dim = c(p, p, k, k))
  for (i in seq_len(p)) {
    for (j in seq_len(p)) {
      arr[i, j, , ] <- table(factor(x[, i], levels = 1:k), factor(x[, j], levels = 1:k))
    }
  }
  list(dim = dim(arr), data = as.vector(aperm(arr, 4:1)))
}

# psych's own code path with a tight optimize() tolerance.
tight_polyc <- psych:::polyc
body(tight_polyc) <- parse(text = gsub(
  "optimize(polyF, interval = c(-1, 1)",
  "optimize(polyF, tol = 1e-10, interval = c(-1, 1)",
  paste(deparse(body(psych:::polyc)), collapse = "\n"),
  fixed = TRUE
))[[1]]
stopifnot(sum(grepl("tol = 1e-10", deparse(body(tight_polyc)), fixed = TRUE)) == 2)
default_polyc <- psych:::polyc

poly_case <- function(x, global = TRUE) {
  res <- suppressWarnings(psych::polychoric(x, global = global))
  assignInNamespace("polyc", tight_polyc, ns = "psych")
  tight <- suppressWarnings(psych::polychoric(x, global = global))
  assignInNamespace("polyc", default_polyc, ns = "psych")
  list(
    items = colnames(x),
    global = global,
    tables = pair_tables(x, 6),
    rho_psych = unname_matrix(res$rho),
    rho_tight = unname_matrix(tight$rho),
    tau = unname_matrix(res$tau)
  )
}

ac <- as.matrix(bfi[, c(paste0("A", 1:5), paste0("C", 1:5))])
a_top <- as.matrix(bfi[, paste0("A", 1:5)])
a_top[!is.na(a_top[, "A1"]) & a_top[, "A1"] == 6, "A1"] <- 5
c_mid <- as.matrix(bfi[, paste0("C", 1:5)])
c_mid[!is.na(c_mid[, "C2"]) & c_mid[, "C2"] == 3, "C2"] <- 2

not_pd <- matrix(c(1, 0.9, -0.9, 0.9, 1, 0.9, -0.9, 0.9, 1), 3, 3)

polychoric_golden <- list(
  bfi_ac = poly_case(ac),
  bfi_ac_pairwise = poly_case(ac, global = FALSE),
  bfi_a_top_merged = poly_case(a_top),
  bfi_c_middle_empty = poly_case(c_mid),
  cor_smooth = list(
    input = not_pd,
    smoothed = unname_matrix(suppressWarnings(psych::cor.smooth(not_pd)))
  )
)

# ---------------------------------------------------------------------------------------------
# Hedges' g
# ---------------------------------------------------------------------------------------------

items <- c(paste0("A", 1:5), paste0("C", 1:5), paste0("E", 1:5))
summ <- function(v) c(n = sum(!is.na(v)), mean = mean(v, na.rm = TRUE), sd = sd(v, na.rm = TRUE))
women <- t(sapply(items, function(it) summ(bfi[bfi$gender == 2, it])))
men <- t(sapply(items, function(it) summ(bfi[bfi$gender == 1, it])))
# Small groups (exact J matters): the first rows of each gender answering A1..A3.
small <- list(c(2, 2), c(2, 3), c(3, 5), c(4, 2))
small_rows <- lapply(seq_along(small), function(s) {
  it <- items[s]
  w <- na.omit(bfi[bfi$gender == 2, it])[seq_len(small[[s]][1])]
  m <- na.omit(bfi[bfi$gender == 1, it])[seq_len(small[[s]][2])]
  rbind(summ(w), summ(m))
})
n_a <- c(women[, "n"], sapply(small_rows, function(r) r[1, "n"]))
mean_a <- c(women[, "mean"], sapply(small_rows, function(r) r[1, "mean"]))
sd_a <- c(women[, "sd"], sapply(small_rows, function(r) r[1, "sd"]))
n_b <- c(men[, "n"], sapply(small_rows, function(r) r[2, "n"]))
mean_b <- c(men[, "mean"], sapply(small_rows, function(r) r[2, "mean"]))
sd_b <- c(men[, "sd"], sapply(small_rows, function(r) r[2, "sd"]))
es <- metafor::escalc(
  measure = "SMD", m1i = mean_a, sd1i = sd_a, n1i = n_a, m2i = mean_b, sd2i = sd_b, n2i = n_b
)
es_sum <- summary(es, level = 95)
es_sum90 <- summary(es, level = 90)
hedges_golden <- list(
  label = c(items, paste0("small_", seq_along(small))),
  n_a = unname(n_a), mean_a = unname(mean_a), sd_a = unname(sd_a),
  n_b = unname(n_b), mean_b = unname(mean_b), sd_b = unname(sd_b),
  yi = as.numeric(es$yi), vi = as.numeric(es$vi), sei = as.numeric(es_sum$sei),
  ci_lb = as.numeric(es_sum$ci.lb), ci_ub = as.numeric(es_sum$ci.ub),
  ci_lb_90 = as.numeric(es_sum90$ci.lb), ci_ub_90 = as.numeric(es_sum90$ci.ub)
)

# ---------------------------------------------------------------------------------------------
# Random-intercept model
# ---------------------------------------------------------------------------------------------

# lme4 optimises the REML criterion over theta = tau / sigma; this optimizer does it tightly.
tight_optimizer <- function(fn, par, lower, upper, control = list(), ...) {
  o <- stats::optimize(function(t) fn(t), lower = max(lower, 0), upper = 50, tol = 1e-12)
  list(par = o$minimum, fval = o$objective, conv = 0L, message = "optimize(tol = 1e-12)")
}

lmer_summary <- function(fit) {
  re <- ranef(fit, condVar = TRUE)[[1]]
  vc <- as.data.frame(VarCorr(fit))
  list(
    fixef = unname(fixef(fit)[1]),
    fixef_se = unname(sqrt(diag(as.matrix(vcov(fit))))[1]),
    tau2 = vc$vcov[1],
    sigma2 = vc$vcov[2],
    theta = unname(getME(fit, "theta")),
    reml_criterion = unname(REMLcrit(fit)),
    blup = unname(fixef(fit)[1] + re[, 1]),
    condvar_sd = unname(sqrt(attr(re, "postVar")[1, 1, ])),
    singular = isSingular(fit)
  )
}

ml_case <- function(y, g) {
  g <- factor(g)
  keep <- !is.na(y)
  y <- y[keep]
  g <- droplevels(g[keep])
  d <- data.frame(y = y, g = g)
  fit <- lmer(y ~ 1 + (1 | g), data = d, REML = TRUE)
  fit_tight <- lmer(y ~ 1 + (1 | g), data = d, REML = TRUE,
                    control = lmerControl(optimizer = tight_optimizer))
  a <- summary(aov(y ~ g, data = d))[[1]]
  n_j <- as.numeric(tapply(y, g, length))
  big_n <- sum(n_j)
  n_groups <- length(n_j)
  msb <- a[["Mean Sq"]][1]
  msw <- a[["Mean Sq"]][2]
  n0 <- (big_n - sum(n_j^2) / big_n) / (n_groups - 1)
  list(
    groups = levels(g),
    n = n_j,
    mean = as.numeric(tapply(y, g, mean)),
    ss_within = as.numeric(tapply(y, g, function(v) sum((v - mean(v))^2))),
    default = lmer_summary(fit),
    tight = lmer_summary(fit_tight),
    anova = list(
      msb = msb, msw = msw, n0 = n0,
      icc1_n0 = (msb - msw) / (msb + (n0 - 1) * msw),
      icc1_mean = (msb - msw) / (msb + (big_n / n_groups - 1) * msw)
    )
  )
}

set.seed(20221122)
sim_sizes <- c(3, 5, 7, 9, 6, 8, 10, 12)
sim_g <- rep(seq_along(sim_sizes), times = sim_sizes)
sim_y <- round(rnorm(length(sim_g), mean = 3, sd = 1), 2)

data(sleepstudy, package = "lme4")
data(MathAchieve, package = "nlme")
data(sat.act, package = "psychTools")

multilevel_golden <- list(
  math_achieve = ml_case(MathAchieve$MathAch, as.character(MathAchieve$School)),
  sleepstudy = ml_case(sleepstudy$Reaction, as.character(sleepstudy$Subject)),
  sat_act = ml_case(sat.act$ACT, sat.act$education),
  simulated_singular = ml_case(sim_y, sim_g)
)
stopifnot(multilevel_golden$simulated_singular$default$singular)

golden <- list(
  generated_by = "tests/golden/polychoric_effects_multilevel.R",
  versions = list(
    R = paste(R.version$major, R.version$minor, sep = "."),
    psych = as.character(packageVersion("psych")),
    psychTools = as.character(packageVersion("psychTools")),
    mnormt = as.character(packageVersion("mnormt")),
    metafor = as.character(packageVersion("metafor")),
    lme4 = as.character(packageVersion("lme4")),
    nlme = as.character(packageVersion("nlme")),
    jsonlite = as.character(packageVersion("jsonlite"))
  ),
  platform = R.version$platform,
  polychoric = polychoric_golden,
  hedges_g = hedges_golden,
  multilevel = multilevel_golden
)

jsonlite::write_json(golden, out_path, auto_unbox = TRUE, digits = NA, pretty = FALSE)
cat("wrote", out_path, "\n")
