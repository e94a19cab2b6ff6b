# Golden values for src/learnsurvey/analysis/families.py (the standardised context distance
# and the greedy families of schools).
#
# Run from the repository root (a dev tool only; the Python tests read the JSON and never R):
#
#     Rscript tests/golden/families.R
#
# Needs jsonlite (Debian: apt-get install -y r-cran-jsonlite).
# Writes tests/golden/families.json holding the inputs themselves:
#
# * a context of schools in two phases (log pupils, FSM, EAL and SEND %, region; some
#   figures missing), standardised within phase with base R's scale() on the schools with a
#   figure for each feature (sample SD), and the distance matrix of each phase:
#   d^2 = (K / |S|) * sum over the shared features S of (z_a - z_b)^2 + rho^2 * [regions
#   differ or unknown], rho = 1, K = 4 — for schools with every feature this is
#   as.matrix(dist(z))^2 plus the penalty, which the script checks against dist() too;
# * the greedy partition of one phase's schools with full context into families of at least
#   F = 5 (seed: the unassigned school farthest from the unassigned centroid, first in key
#   order among equals; with its F - 1 nearest unassigned schools, ties by key; the last
#   F..2F-1 schools form the last family).

suppressPackageStartupMessages(library(jsonlite))

out_path <- file.path("tests", "golden", "families.json")
rho <- 1
features <- c("pupils", "fsm_pct", "eal_pct", "send_pct")

set.seed(20260111)
n <- 37
context <- data.frame(
  school = sprintf("S%03d", seq_len(n)),
  phase = c(rep("primary", 27), rep("secondary", 10)),
  pupils = round(exp(rnorm(n, log(350), 0.5))),
  fsm_pct = round(runif(n, 2, 60), 1),
  eal_pct = round(rbeta(n, 1.2, 5) * 100, 1),
  send_pct = round(runif(n, 6, 25), 1),
  region = sample(c("London", "North West", "South East"), n, replace = TRUE),
  stringsAsFactors = FALSE
)
# A few gaps: in the partner distance these compare on the features they share.
context$eal_pct[c(30, 33)] <- NA
context$send_pct[31] <- NA
context$region[c(32, 34)] <- NA

standardise <- function(ctx) {
  z <- matrix(NA_real_, nrow(ctx), length(features), dimnames = list(NULL, features))
  for (ph in unique(ctx$phase)) {
    rows <- which(ctx$phase == ph)
    for (f in features) {
      x <- ctx[[f]][rows]
      if (f == "pupils") x <- log(x)
      ok <- !is.na(x)
      z[rows[ok], f] <- as.numeric(scale(x[ok]))
    }
  }
  z
}

distance <- function(z, region, a, b) {
  d <- z[b, ] - z[a, ]
  s <- !is.na(d)
  if (!any(s)) return(NA_real_)
  same <- !is.na(region[a]) && !is.na(region[b]) && region[a] == region[b]
  sqrt(length(features) / sum(s) * sum(d[s]^2) + rho^2 * (!same))
}

z <- standardise(context)
distances <- list()
for (ph in unique(context$phase)) {
  rows <- which(context$phase == ph)
  m <- outer(rows, rows, Vectorize(function(a, b) distance(z, context$region, a, b)))
  distances[[ph]] <- list(schools = context$school[rows], d = unname(m))
}

# The full-context case is dist() on the z-scores with the penalty.
prim <- which(context$phase == "primary")
d_full <- as.matrix(dist(z[prim, ]))
pen <- outer(context$region[prim], context$region[prim], function(x, y) {
  ifelse(is.na(x) | is.na(y) | x != y, 1, 0)
})
stopifnot(max(abs(sqrt(d_full^2 + rho^2 * pen) - distances$primary$d)) < 1e-12)

greedy <- function(z, region, keys, size) {
  pool <- order(keys)
  families <- list()
  while (length(pool) >= 2 * size) {
    centre <- colMeans(z[pool, , drop = FALSE])
    spread <- sqrt(rowSums(sweep(z[pool, , drop = FALSE], 2, centre)^2))
    seed <- pool[which.max(spread)]
    rest <- setdiff(pool, seed)
    d <- sapply(rest, function(b) distance(z, region, seed, b))
    near <- rest[order(d, keys[rest])][seq_len(size - 1)]
    family <- c(seed, near)
    families[[length(families) + 1]] <- sort(keys[family])
    pool <- setdiff(pool, family)
  }
  families[[length(families) + 1]] <- sort(keys[pool])
  families
}

full <- prim[stats::complete.cases(z[prim, ])]
families <- greedy(z[full, ], context$region[full], context$school[full], 5)

write_json(
  list(
    r_version = R.version.string,
    rho = rho,
    family_size = 5,
    context = context,
    z = lapply(seq_len(n), function(i) unname(z[i, ])),
    distances = distances,
    families = families
  ),
  out_path,
  digits = NA,
  auto_unbox = TRUE,
  pretty = TRUE,
  na = "null"
)
cat("wrote", out_path, "\n")
