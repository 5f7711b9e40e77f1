import { render } from "preact";

import { App } from "./app";
import { loadConfig } from "./config";
import "./styles.css";

loadConfig().then(() => render(<App />, document.getElementById("app")!));
