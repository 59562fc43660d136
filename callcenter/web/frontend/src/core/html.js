// One place for the view layer: Preact + htm (tagged templates, no JSX build step) + signals.
// Pages import from here, never from "preact" directly, so the whole app shares one copy.
import { h, render, Fragment } from "preact";
import { useEffect, useMemo, useRef, useState, useCallback } from "preact/hooks";
import { signal, computed, effect, batch, useSignal, useComputed, useSignalEffect } from "@preact/signals";
import htm from "htm";

export const html = htm.bind(h);
export { h, render, Fragment, useEffect, useMemo, useRef, useState, useCallback };
export { signal, computed, effect, batch, useSignal, useComputed, useSignalEffect };
