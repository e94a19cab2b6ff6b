# The R reference for benchmarks/run.py: the statistics of `learnsurvey analyse`, computed the
# usual way with psych and lme4 on the same response file.
#
#     Rscript benchmarks/r_reference.R RESPONSES SPEC.json OUT.json
#
# RESPONSES is the CSV (read with data.table::fread when installed, else read.csv) or, when
# the arrow package is installed, a Parquet file. SPEC.json describes the instrument (written
# by benchmarks/run.py from the instrument YAML): item ids, their dimension, which are
# reverse-worded, the scale's min and max and the share of a dimension's items a pupil must
# answer for a score. OUT.json receives the results and the seconds spent on each step.
#
# Computed, as the Python pipeline computes them:
# * psych::alpha per dimension and over all items, with the reverse-worded items as keys;
# * psych::omega over all (reverse-coded) items, 3 group factors, minres;
# * psych::fa of the nine dimension scores' pairwise correlations: minres, oblimin, 3 factors;
# * lme4::lmer(score ~ 1 + (1 | school), REML) per dimension: ICC and the schools' BLUPs;
# * n, mean and SD of every dimension score by key stage and by gender.

suppressPackageStartupMessages({
  library(psych)
  library(GPArotation)
  library(lme4)
  library(jsonlite)
})

args <- commandArgs(trailingOnly = TRUE)
if (length(args) != 3) {
  stop("usage: Rscript benchmarks/r_reference.R RESPONSES SPEC.json OUT.json")
}
data_path <- args[[1]]
spec <- fromJSON(args[[2]])
out_path <- args[[3]]

timings <- list()
timed <- function(name, expr) {
  started <- proc.time()[["elapsed"]]
  value <- force(expr)
  timings[[name]] <<- proc.time()[["elapsed"]] - started
  value
}

read_responses <- function(path) {
  if (grepl("\\.parquet$", path)) {
    return(list(data = as.data.frame(arrow::read_parquet(path)), reader = "arrow"))
  }
  if (requireNamespace("data.table", quietly = TRUE)) {
    d <- data.table::fread(path, data.table = FALSE, na.strings = c("", "NA"))
    return(list(data = d, reader = "data.table::fread"))
  }
  list(data = read.csv(path, na.strings = c("", "NA")), reader = "read.csv")
}

# Pupils whose key stage or gender was not given form the group "not_given", as in Python.
group_labels <- function(x) {
  x <- trimws(as.character(x))
  x[is.na(x) | x == ""] <- "not_given"
  x
}

# The mean of a pupil's answered items when at least `share` of them were answered.
score_mean <- function(m, share) {
  answered <- rowSums(!is.na(m))
  need <- max(1, ceiling(share * ncol(m) - 1e-9))
  s <- rowMeans(m, na.rm = TRUE)
  s[answered < need] <- NA
  s
}

alpha_of <- function(x, reversed) {
  keys <- intersect(colnames(x), reversed)
  a <- suppressWarnings(suppressMessages(
    psych::alpha(x, keys = if (length(keys)) keys else NULL, warnings = FALSE)
  ))
  a$total$raw_alpha
}

icc_of <- function(y, school) {
  keep <- !is.na(y)
  frame <- data.frame(y = y[keep], school = school[keep])
  fit <- lme4::lmer(y ~ 1 + (1 | school), data = frame, REML = TRUE)
  vc <- as.data.frame(lme4::VarCorr(fit))
  tau2 <- vc$vcov[vc$grp == "school"]
  sigma2 <- vc$vcov[vc$grp == "Residual"]
  blup <- coef(fit)$school
  list(
    icc = tau2 / (tau2 + sigma2),
    tau2 = tau2,
    sigma2 = sigma2,
    grand_mean = unname(lme4::fixef(fit)[1]),
    blup = as.list(setNames(blup[, 1], rownames(blup)))
  )
}

summary_by <- function(scores, group) {
  out <- list()
  for (dim in colnames(scores)) {
    y <- scores[, dim]
    keep <- !is.na(y)
    out[[dim]] <- list(
      group = sort(unique(group[keep])),
      n = as.vector(tapply(y[keep], group[keep], length)),
      mean = as.vector(tapply(y[keep], group[keep], mean)),
      sd = as.vector(tapply(y[keep], group[keep], sd))
    )
  }
  out
}

started <- proc.time()[["elapsed"]]
read <- timed("read", read_responses(data_path))
d <- read$data
items <- spec$items
dims <- unique(items$dimension)
reversed <- items$id[items$reverse]

prepared <- timed("score", {
  x <- as.matrix(d[, items$id])
  storage.mode(x) <- "double"
  xr <- x
  xr[, reversed] <- spec$scale_min + spec$scale_max - x[, reversed]
  scores <- sapply(dims, function(dim) {
    score_mean(xr[, items$id[items$dimension == dim], drop = FALSE], spec$min_answered_share)
  })
  list(x = x, xr = xr, scores = scores)
})

alphas <- timed("alpha", {
  per_dim <- lapply(dims, function(dim) {
    alpha_of(prepared$x[, items$id[items$dimension == dim], drop = FALSE], reversed)
  })
  c(setNames(per_dim, dims), list(overall = alpha_of(prepared$x, reversed)))
})

omega <- timed("omega", {
  o <- suppressWarnings(suppressMessages(
    psych::omega(prepared$xr, nfactors = 3, fm = "minres", plot = FALSE)
  ))
  list(omega_hierarchical = o$omega_h, omega_total = o$omega.tot)
})

fa <- timed("fa", {
  r <- cor(prepared$scores, use = "pairwise")
  f <- psych::fa(r, nfactors = 3, n.obs = nrow(prepared$scores), fm = "minres",
                 rotate = "oblimin", warnings = FALSE)
  loadings <- unclass(f$loadings)
  dimnames(loadings) <- NULL
  loadings
})

multilevel <- timed("lmer", {
  school <- as.character(d$school)
  setNames(lapply(dims, function(dim) icc_of(prepared$scores[, dim], school)), dims)
})

groups <- timed("groups", list(
  key_stage = summary_by(prepared$scores, group_labels(d$key_stage)),
  gender = summary_by(prepared$scores, group_labels(d$gender))
))

result <- list(
  rows = nrow(d),
  reader = read$reader,
  r_version = paste(R.version$major, R.version$minor, sep = "."),
  packages = lapply(
    setNames(nm = c("psych", "GPArotation", "lme4")),
    function(p) as.character(utils::packageVersion(p))
  ),
  alpha = alphas,
  omega = omega,
  fa_loadings = fa,
  multilevel = multilevel,
  groups = groups,
  seconds = c(timings, list(total = proc.time()[["elapsed"]] - started))
)
writeLines(toJSON(result, digits = NA, auto_unbox = TRUE, matrix = "rowmajor"), out_path)
