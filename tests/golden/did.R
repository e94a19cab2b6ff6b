# Golden values for learnsurvey.stats.did.difference_in_differences.
# The DiD of four independent cells is the contrast (A2 - A1) - (B2 - B1) of the saturated
# cell-means regression; its SE is that contrast's HC2 (sandwich) standard error, and its
# degrees of freedom the Welch-Satterthwaite value. Data: datasets::warpbreaks (wool A/B,
# tension L -> M and M -> H). Run: Rscript tests/golden/did.R (writes did.json).
library(sandwich)
library(jsonlite)

case <- function(before, after) {
  d <- subset(warpbreaks, tension %in% c(before, after))
  d$cell <- factor(paste(d$wool, d$tension), levels = c(
    paste("A", before), paste("A", after), paste("B", before), paste("B", after)))
  fit <- lm(breaks ~ 0 + cell, data = d)
  k <- c(-1, 1, 1, -1)
  did <- sum(k * coef(fit))
  se <- sqrt(drop(t(k) %*% vcovHC(fit, type = "HC2") %*% k))
  n <- as.numeric(table(d$cell))
  s <- as.numeric(tapply(d$breaks, d$cell, sd))
  m <- as.numeric(tapply(d$breaks, d$cell, mean))
  v <- s^2 / n
  df <- sum(v)^2 / sum(v^2 / (n - 1))
  t <- qt(0.975, df)
  list(n = n, mean = m, sd = s, did = did, se = se, df = df,
       ci_low = did - t * se, ci_high = did + t * se)
}
out <- list(L_to_M = case("L", "M"), M_to_H = case("M", "H"))
write_json(out, "tests/golden/did.json", digits = 15, auto_unbox = TRUE, pretty = TRUE)
