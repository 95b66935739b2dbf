"""Files an officer publishes with a call (申报指南, 申报书模板, 征集公告 …): uploaded on the call's 附件 page,
downloaded by anyone who may see the call, and carried over when a call is started as a copy."""
