# Golden values for src/learnsurvey/stats/factor.py and src/learnsurvey/stats/reliability.py.
#
# Run from the repository root (a dev tool only; the Python tests read the JSON and never R):
#
#     Rscript tests/golden/psych_factor_reliability.R
#
# Writes tests/golden/psych_factor_reliability.json with the input matrices themselves (so the
# tests need neither R nor the data sets), n.obs, and the results of psych::fa, psych::alpha,
# psych::alpha.ci and psych::omega on two public data sets:
#
# * psychTools::bfi, the 25 personality items (2800 respondents, some missing answers:
#   correlations and covariances are pairwise-complete, as the project computes them);
# * lavaan::HolzingerSwineford1939, x1..x9 (301 pupils, complete).

suppressPackageStartupMessages({
  library(psych)
  library(psychTools)
  library(GPArotation)
  library(lavaan)
  library(jsonlite)
})

out_path <- file.path("tests", "golden", "psych_factor_reliability.json")

data(bfi, package = "psychTools")
bfi25 <- as.matrix(bfi[, 1:25])
hs <- as.matrix(lavaan::HolzingerSwineford1939[, paste0("x", 1:9)])

bfi_cor <- cor(bfi25, use = "pairwise")
hs_cor <- cor(hs)
hs_cov <- cov(hs)

# Agreeableness A1..A5 with A1 reverse keyed (6-point items: 7 - x).
agree <- bfi25[, paste0("A", 1:5)]
agree_keyed <- agree
agree_keyed[, "A1"] <- 7 - agree_keyed[, "A1"]
agree_cov <- cov(agree_keyed, use = "pairwise")

# A single five-item scale for the one-factor omega: neuroticism N1..N5.
neuro_cor <- cor(bfi25[, paste0("N", 1:5)], use = "pairwise")

unname_matrix <- function(m) {
  m <- unclass(as.matrix(m))
  dimnames(m) <- NULL
  m
}

fa_result <- function(r, nfactors, fm, rotate) {
  f <- psych::fa(r, nfactors = nfactors, fm = fm, rotate = rotate, warnings = FALSE)
  phi <- if (is.null(f$Phi)) diag(nfactors) else f$Phi
  list(
    nfactors = nfactors,
    fm = fm,
    rotate = rotate,
    loadings = unname_matrix(f$loadings),
    phi = unname_matrix(phi),
    communality = unname(f$communality),
    uniquenesses = unname(f$uniquenesses),
    objective = unname(f$objective)
  )
}

fa_set <- function(r, nfactors) {
  list(
    minres_oblimin = fa_result(r, nfactors, "minres", "oblimin"),
    minres_promax = fa_result(r, nfactors, "minres", "promax"),
    ml_oblimin = fa_result(r, nfactors, "ml", "oblimin"),
    minres_varimax = fa_result(r, nfactors, "minres", "varimax"),
    minres_none = fa_result(r, nfactors, "minres", "none")
  )
}

alpha_result <- function(x, cov_matrix) {
  # Raw data (already keyed): psych uses pairwise covariances and nrow(x) as n.
  a <- suppressMessages(psych::alpha(x, warnings = FALSE))
  n_obs <- nrow(x)
  n_items <- ncol(x)
  ci <- psych::alpha.ci(a$total$raw_alpha, n_obs, n_items)
  ci90 <- psych::alpha.ci(a$total$raw_alpha, n_obs, n_items, p.val = 0.10)
  list(
    cov = unname_matrix(cov_matrix),
    n_obs = n_obs,
    n_items = n_items,
    raw_alpha = a$total$raw_alpha,
    std_alpha = a$total$std.alpha,
    average_r = a$total$average_r,
    feldt_lower = unname(ci$lower.ci),
    feldt_upper = unname(ci$upper.ci),
    feldt90_lower = unname(ci90$lower.ci),
    feldt90_upper = unname(ci90$upper.ci),
    r_drop = unname(a$item.stats$r.drop),
    alpha_if_deleted = unname(a$alpha.drop$raw_alpha),
    std_alpha_if_deleted = unname(a$alpha.drop$std.alpha)
  )
}

omega_result <- function(r, nfactors) {
  o <- suppressMessages(suppressWarnings(
    psych::omega(r, nfactors = nfactors, fm = "minres", rotate = "oblimin", poly = FALSE,
                 plot = FALSE)
  ))
  sl <- o$schmid$sl
  list(
    nfactors = nfactors,
    omega_h = o$omega_h,
    omega_tot = o$omega.tot,
    alpha = o$alpha,
    key = unname(o$key),
    # Schmid-Leiman g loadings after psych's key flipping (all non-negative).
    g_loadings = unname(sl[, 1]),
    h2 = unname(sl[, "h2"]),
    u2 = unname(sl[, "u2"])
  )
}

versions <- function(pkgs) {
  v <- lapply(pkgs, function(p) as.character(utils::packageVersion(p)))
  names(v) <- pkgs
  v
}

golden <- list(
  generated_by = "tests/golden/psych_factor_reliability.R",
  versions = c(list(R = paste(R.version$major, R.version$minor, sep = ".")),
               versions(c("psych", "psychTools", "GPArotation", "lavaan", "jsonlite"))),
  platform = sessionInfo()$platform,
  bfi = list(
    items = colnames(bfi25),
    n_obs = nrow(bfi25),
    cor = unname_matrix(bfi_cor),
    smc = unname(psych::smc(bfi_cor)),
    fa = fa_set(bfi_cor, 5),
    omega5 = omega_result(bfi_cor, 5)
  ),
  hs = list(
    items = colnames(hs),
    n_obs = nrow(hs),
    cor = unname_matrix(hs_cor),
    cov = unname_matrix(hs_cov),
    smc = unname(psych::smc(hs_cor)),
    fa = fa_set(hs_cor, 3),
    fa1 = fa_result(hs_cor, 1, "minres", "oblimin"),
    fa1_ml = fa_result(hs_cor, 1, "ml", "oblimin"),
    omega3 = omega_result(hs_cor, 3),
    omega2 = omega_result(hs_cor, 2),
    alpha = alpha_result(hs, hs_cov)
  ),
  agreeableness = list(
    items = c("A1-", "A2", "A3", "A4", "A5"),
    alpha = alpha_result(agree_keyed, agree_cov)
  ),
  neuroticism = list(
    items = paste0("N", 1:5),
    n_obs = nrow(bfi25),
    cor = unname_matrix(neuro_cor),
    omega1 = omega_result(neuro_cor, 1)
  )
)

writeLines(toJSON(golden, digits = NA, auto_unbox = TRUE, pretty = FALSE, matrix = "rowmajor"),
           out_path)
cat("wrote", out_path, "\n")
