// XS side of test/xs/hostile.test.ts: the scripted hostile broker and the client, inside XS.
import { serve } from "../../simulator/xs/channel.js";
import { handle } from "./hostile-broker.js";

serve((request) => new TextEncoder().encode(handle(new TextDecoder().decode(request))));
