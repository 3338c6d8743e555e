import type { AccountsConfig } from './config.js';

/**
 * Credits and environmental footprint of one model call.
 *
 * Credits: tokens (prompt + completion) ÷ `tokens_per_credit` of the model (per-model override in
 * `accounts.models.<id>.tokens_per_credit`, else `accounts.credits.tokens_per_credit`).
 *
 * Energy (Wh) = tokens × k × P, with P the model's declared size in billions of parameters
 * (`accounts.models.<id>.parameters_b`) and k = `accounts.energy.wh_per_token_per_billion_params`
 * (default 1e-5 Wh). Why 1e-5: a forward pass costs about 2·P·10⁹ FLOP per token; serving hardware
 * delivers in practice about 5·10¹⁰ FLOP per joule once idle time, memory-bound decoding, the host
 * and cooling (PUE ≈ 1.2) are counted, i.e. ≈ 0.04 J ≈ 1.1·10⁻⁵ Wh per token and per billion
 * parameters. Carbon (gCO2e) = Wh ÷ 1000 × `accounts.energy.grid_gco2e_per_kwh` (default 50, the
 * order of magnitude of the French grid's life-cycle intensity). These are estimates to compare
 * models and uses, not measurements; a model without a declared size gets no estimate (null).
 */
export interface Footprint {
  credits: number;
  /** Thousandths of a credit, rounded up: the unit of the monthly credit counter. */
  milliCredits: number;
  energyWh: number | null;
  carbonG: number | null;
}

export function footprintOf(config: AccountsConfig, model: string | null, tokens: number): Footprint {
  const perModel = model ? config.models[model] : undefined;
  const tokensPerCredit = perModel?.tokens_per_credit ?? config.credits.tokens_per_credit;
  const credits = tokens / tokensPerCredit;
  const params = perModel?.parameters_b;
  const energyWh =
    params === undefined ? null : tokens * config.energy.wh_per_token_per_billion_params * params;
  return {
    credits,
    milliCredits: Math.ceil(credits * 1000),
    energyWh,
    carbonG: energyWh === null ? null : (energyWh / 1000) * config.energy.grid_gco2e_per_kwh,
  };
}
