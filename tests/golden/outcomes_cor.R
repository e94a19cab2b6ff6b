# Golden values for src/learnsurvey/stats/correlation.py (pearson): Pearson's r, its
# Fisher-z confidence interval and the t test of no correlation, as stats::cor.test gives them.
#
# Run from the repository root (a dev tool only; the Python tests read the JSON and never R):
#
#     Rscript tests/golden/outcomes_cor.R
#
# Needs base R (datasets, stats) and jsonlite (Debian: apt-get install -y r-cran-jsonlite).
# Writes tests/golden/outcomes_cor.json holding the inputs themselves, so the tests need
# neither R nor the data sets. The cases are public data sets of base R:
#
# * datasets::swiss (47 French-speaking provinces of Switzerland, 1888): Fertility against
#   Education (a clear negative r), Agriculture against Examination, Catholic against
#   Infant.Mortality (a weak r whose interval includes zero), and at the 90% level;
# * datasets::mtcars (32 cars, 1974): mpg against wt, qsec against mpg, and the first five
#   cars only (a small n, as a few schools give);
# * a series with a missing value on each side (cor.test drops incomplete pairs).

suppressPackageStartupMessages(library(jsonlite))

out_path <- file.path("tests", "golden", "outcomes_cor.json")

case <- function(x, y, conf = 0.95) {
  test <- cor.test(x, y, method = "pearson", conf.level = conf)
  list(
    x = as.numeric(x),
    y = as.numeric(y),
    confidence = conf,
    n = sum(complete.cases(x, y)),
    r = unname(test$estimate),
    ci_low = if (is.null(test$conf.int)) NA else test$conf.int[1],
    ci_high = if (is.null(test$conf.int)) NA else test$conf.int[2],
    t = unname(test$statistic),
    df = unname(test$parameter),
    p = test$p.value
  )
}

data(swiss, package = "datasets")
data(mtcars, package = "datasets")
gappy_x <- c(swiss$Education[1:12], NA)
gappy_y <- c(NA, swiss$Fertility[2:13])

cases <- list(
  swiss_fertility_education = case(swiss$Education, swiss$Fertility),
  swiss_agriculture_examination = case(swiss$Agriculture, swiss$Examination),
  swiss_catholic_mortality = case(swiss$Catholic, swiss$Infant.Mortality),
  swiss_fertility_education_90 = case(swiss$Education, swiss$Fertility, conf = 0.90),
  mtcars_mpg_wt = case(mtcars$wt, mtcars$mpg),
  mtcars_qsec_mpg = case(mtcars$qsec, mtcars$mpg),
  mtcars_first_five = case(mtcars$wt[1:5], mtcars$mpg[1:5]),
  gappy = case(gappy_x, gappy_y)
)

writeLines(
  toJSON(list(r_version = R.version.string, cases = cases),
         auto_unbox = TRUE, digits = NA, pretty = TRUE, na = "null"),
  out_path
)
cat("wrote", out_path, "\n")
